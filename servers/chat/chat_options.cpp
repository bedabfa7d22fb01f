#include "servers/chat/chat_options.hpp"

#include "common/cli/command_line.hpp"
#include "common/cli/serve_flags.hpp"
#include "common/cli/values.hpp"
#include "common/text/address.hpp"

namespace gonet {

ChatOptions parse_chat_options(const Program& program, const std::vector<std::string>& args) {
  auto options = command_line(program);
  add_serve_flags(options, program);
  options.add_options("chat")("idle-timeout",
                              "disconnect a client that sends no line for this long; 0 means never",
                              cxxopts::value<std::string>()->default_value("5m"), "D")(
      "queue", "messages waiting for one client, at most (and 1 MiB); the rest are skipped",
      cxxopts::value<std::string>()->default_value("256"),
      "N")("names", "ask each newcomer its name instead of naming it by its address")(
      "max-line", "longest line in bytes, its end not counted",
      cxxopts::value<std::string>()->default_value("65536"),
      "N")("rate",
           "lines taken from one client a second on average, in bursts of 5 times that; 0 means no "
           "limit",
           cxxopts::value<std::string>()->default_value("20"),
           "N")("raw", "relay text as the book does, with the controls a terminal obeys")(
      "redis",
      "share the room with every chat server on this Redis: HOST:PORT, or a Unix socket's path "
      "(beginning with /)",
      cxxopts::value<std::string>(), "ADDR")("room", "the room's name on Redis (with -redis)",
                                             cxxopts::value<std::string>()->default_value("chat"),
                                             "NAME");
  const auto result = parse(options, program, args);

  ChatOptions chat;
  chat.serve = serve_flags(result, program);
  chat.idle_timeout = parse_duration_flag("idle-timeout", result["idle-timeout"].as<std::string>());
  chat.queue = parse_count<std::size_t>("queue", result["queue"].as<std::string>(), 1, 1'000'000);
  chat.names = result["names"].as<bool>();
  chat.max_line = parse_count<std::size_t>("max-line", result["max-line"].as<std::string>(), 1,
                                           std::size_t{1} << 30);
  chat.rate = parse_count<unsigned>("rate", result["rate"].as<std::string>(), 0, 1'000'000);
  chat.raw = result["raw"].as<bool>();
  if (result.count("redis") > 0) {
    const auto address = result["redis"].as<std::string>();
    if (address.starts_with('/')) {
      chat.redis = RedisAddress{"", 0, address};
    } else if (const auto endpoint = parse_host_port(address); endpoint && endpoint->port != 0) {
      chat.redis = RedisAddress{endpoint->host, endpoint->port, ""};
    } else {
      bad_value("redis", address, "want HOST:PORT or the path of a Unix socket");
    }
  }
  chat.room = result["room"].as<std::string>();
  if (chat.room.empty() || chat.room.size() > 64 ||
      chat.room.find_first_of(" \t\r\n:") != std::string::npos) {
    bad_value("room", chat.room, "want 1 to 64 characters, no spaces or ':'");
  }
  return chat;
}

}  // namespace gonet
