// pubsub_rtt measures the hop a chat node's message takes through Redis, with nothing of ours in
// it (Redis's protocol written and read by hand, on plain blocking sockets): the time from a
// PUBLISH's send until its message is read on a subscribed connection of the same process, one
// message at a time, with `-subscribers` connections subscribed in all (the nodes of a room).
// The frames are the size of a chat line on the bus. One JSON line on stdout.
//   pubsub_rtt -redis /path/redis.sock -n 20000 -subscribers 3
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

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

// A connection to Redis's Unix socket speaking its protocol by hand, blocking: nothing of the
// suite's (nor hiredis, which only common/redis links) in the path measured.
class Connection {
 public:
  explicit Connection(const std::string& path) : fd_(::socket(AF_UNIX, SOCK_STREAM, 0)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path.copy(address.sun_path, sizeof address.sun_path - 1);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      std::fprintf(stderr, "pubsub_rtt: connect %s: %s\n", path.c_str(), std::strerror(errno));
      std::exit(1);
    }
  }
  ~Connection() { ::close(fd_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void send(const std::vector<std::string>& argv) {
    std::string request = "*" + std::to_string(argv.size()) + "\r\n";
    for (const auto& arg : argv) {
      request += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
    }
    for (std::size_t sent = 0; sent < request.size();) {
      const ssize_t n = ::write(fd_, request.data() + sent, request.size() - sent);
      if (n <= 0) fail("write");
      sent += static_cast<std::size_t>(n);
    }
  }

  // Reads one whole reply, of any shape, and throws it away.
  void skip_reply() {
    const std::string line = read_line();
    if (line.empty()) fail("an empty line");
    if (line[0] == '$') {
      const long length = std::stol(line.substr(1));
      if (length >= 0) read_bytes(static_cast<std::size_t>(length) + 2);
    } else if (line[0] == '*') {
      for (long i = std::stol(line.substr(1)); i > 0; --i) skip_reply();
    } else if (line[0] == '-') {
      fail(line.c_str());
    }
  }

 private:
  [[noreturn]] static void fail(const char* what) {
    std::fprintf(stderr, "pubsub_rtt: redis: %s\n", what);
    std::exit(1);
  }
  void fill() {
    char chunk[65536];
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n <= 0) fail("connection lost");
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
  std::string read_line() {
    std::size_t end;
    while ((end = buffer_.find("\r\n")) == std::string::npos) fill();
    std::string line = buffer_.substr(0, end);
    buffer_.erase(0, end + 2);
    return line;
  }
  void read_bytes(std::size_t n) {
    while (buffer_.size() < n) fill();
    buffer_.erase(0, n);
  }

  int fd_;
  std::string buffer_;
};

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"pubsub_rtt", "Redis's publish-to-subscriber time.", false};
  const Options options = gonet::parse_or_exit(program, argc, argv, parse);
  const std::string channel = "gonet:bench:pubsub-rtt";
  // The first subscriber is the one timed; the others only receive, as the room's other nodes do
  // (they read nothing here, and their few MB wait in their sockets).
  std::vector<std::unique_ptr<Connection>> subscribers;
  for (unsigned i = 0; i < options.subscribers; ++i) {
    subscribers.push_back(std::make_unique<Connection>(options.redis));
    subscribers.back()->send({"SUBSCRIBE", channel});
    subscribers.back()->skip_reply();
  }
  Connection publisher(options.redis);
  const std::string frame(80, 'x');  // a bus frame of a short chat line
  std::vector<double> hop_ms;
  for (unsigned i = 0; i < options.count; ++i) {
    const auto sent = std::chrono::steady_clock::now();
    publisher.send({"PUBLISH", channel, frame});
    subscribers.front()->skip_reply();
    hop_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent).count());
    publisher.skip_reply();
  }
  std::printf(
      "{\"row\":\"cluster redis publish to subscriber\",\"subscribers\":%u,\"messages\":%u,"
      "\"p50_ms\":%.4f,\"p99_ms\":%.4f}\n",
      options.subscribers, options.count, bench::percentile(hop_ms, 50),
      bench::percentile(hop_ms, 99));
}
