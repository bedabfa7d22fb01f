// pubsub_rtt measures the hop a chat node's message takes through Redis, with nothing of ours in
// it: the time from a PUBLISH's send until its message is read on a subscribed connection of the
// same process, one message at a time, with `-subscribers` connections subscribed in all (the
// nodes of a room). The frames are the size of a chat line on the bus. One JSON line on stdout.
//   pubsub_rtt -redis /path/redis.sock -n 20000 -subscribers 3
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <hiredis/hiredis.h>

#include "common/cli/command_line.hpp"
#include "common/cli/values.hpp"
#include "tests/bench/process_stats.hpp"

namespace {

struct Options {
  std::string redis;
  unsigned count = 20000;
  unsigned subscribers = 3;
};

Options parse(const gonet::Program& program, const std::vector<std::string>& args) {
  auto options = gonet::command_line(program);
  options.add_options()("redis", "Redis's Unix socket", cxxopts::value<std::string>(), "PATH")(
      "n", "messages, one at a time", cxxopts::value<std::string>()->default_value("20000"), "N")(
      "subscribers", "connections subscribed to the channel",
      cxxopts::value<std::string>()->default_value("3"), "N");
  const auto result = gonet::parse(options, program, args);
  if (result.count("redis") == 0) throw gonet::UsageError("want -redis PATH");
  return Options{
      result["redis"].as<std::string>(),
      gonet::parse_count<unsigned>("n", result["n"].as<std::string>(), 1, 10'000'000),
      gonet::parse_count<unsigned>("subscribers", result["subscribers"].as<std::string>(), 1, 100)};
}

using Context = std::unique_ptr<redisContext, decltype(&redisFree)>;
using Reply = std::unique_ptr<redisReply, decltype(&freeReplyObject)>;

Context connect(const std::string& path) {
  Context context(redisConnectUnix(path.c_str()), &redisFree);
  if (!context || context->err != 0) {
    std::fprintf(stderr, "pubsub_rtt: %s: %s\n", path.c_str(),
                 context ? context->errstr : "out of memory");
    std::exit(1);
  }
  return context;
}

Reply next_reply(redisContext* context) {
  void* reply = nullptr;
  if (redisGetReply(context, &reply) != REDIS_OK) {
    std::fprintf(stderr, "pubsub_rtt: %s\n", context->errstr);
    std::exit(1);
  }
  return Reply(static_cast<redisReply*>(reply), &freeReplyObject);
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"pubsub_rtt", "Redis's publish-to-subscriber time.", false};
  const Options options = gonet::parse_or_exit(program, argc, argv, parse);
  const std::string channel = "gonet:bench:pubsub-rtt";
  // The first subscriber is the one timed; the others only receive, as the room's other nodes do
  // (they read nothing here, and their few MB wait in their sockets).
  std::vector<Context> subscribers;
  for (unsigned i = 0; i < options.subscribers; ++i) {
    subscribers.push_back(connect(options.redis));
    const Reply subscribed(static_cast<redisReply*>(redisCommand(subscribers.back().get(),
                                                                 "SUBSCRIBE %s", channel.c_str())),
                           &freeReplyObject);
    if (!subscribed) {
      std::fprintf(stderr, "pubsub_rtt: SUBSCRIBE: %s\n", subscribers.back()->errstr);
      return 1;
    }
  }
  Context publisher = connect(options.redis);
  const std::string frame(80, 'x');  // a bus frame of a short chat line
  std::vector<double> hop_ms;
  for (unsigned i = 0; i < options.count; ++i) {
    const auto sent = std::chrono::steady_clock::now();
    redisAppendCommand(publisher.get(), "PUBLISH %s %b", channel.c_str(), frame.data(),
                       frame.size());
    int done = 0;
    while (done == 0) redisBufferWrite(publisher.get(), &done);
    next_reply(subscribers.front().get());
    hop_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent).count());
    next_reply(publisher.get());
  }
  std::printf(
      "{\"row\":\"cluster redis publish to subscriber\",\"subscribers\":%u,\"messages\":%u,"
      "\"p50_ms\":%.4f,\"p99_ms\":%.4f}\n",
      options.subscribers, options.count, bench::percentile(hop_ms, 50),
      bench::percentile(hop_ms, 99));
}
