#include "servers/chat/chat_options.hpp"

#include "common/cli/command_line.hpp"
#include "common/cli/serve_flags.hpp"
#include "common/cli/values.hpp"

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
           "N")("raw", "relay text as the book does, with the controls a terminal obeys");
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
  return chat;
}

}  // namespace gonet
