#include "servers/chat/chat_options.hpp"

#include "common/cli/command_line.hpp"
#include "common/cli/serve_flags.hpp"
#include "common/cli/values.hpp"
#include "servers/chat/bus/bus_frame.hpp"

namespace gonet {
namespace {

// The longest line a room across servers carries: a message's frame is at most 1 MiB.
constexpr std::size_t kMaxLineOnBus = kMaxFrameBytes - 1024;
constexpr std::size_t kMaxRoomName = 64;

void add_chat_flags(cxxopts::Options& options) {
  options.add_options("chat")("idle-timeout",
                              "disconnect a client that sends no line for this long; 0 means never",
                              cxxopts::value<std::string>()->default_value("5m"), "D")(
      "queue", "messages waiting for one client, at most (and 1 MiB); the rest are skipped",
      cxxopts::value<std::string>()->default_value("256"),
      "N")("names", "ask each newcomer its name instead of naming it by its address")(
      "max-line", "longest line in bytes, its end not counted",
      cxxopts::value<std::string>()->default_value("65536"),
      "N")("rate",
           "lines taken from one client address a second on average, in bursts of 5 times that; 0 "
           "means no limit",
           cxxopts::value<std::string>()->default_value("20"),
           "N")("raw", "relay text as the book does, with the controls a terminal obeys");
  options.add_options("room across servers")(
      "redis",
      "share the room with every chat server on this Redis: HOST:PORT, /PATH (a Unix socket), "
      "redis://[USER@]HOST[:PORT], rediss://... (TLS) or unix:///PATH",
      cxxopts::value<std::string>(), "ADDR")("room", "the room's name on Redis (with -redis)",
                                             cxxopts::value<std::string>()->default_value("chat"),
                                             "NAME")(
      "room-key-file",
      "the room's secret keys, one or two lines of at least 32 characters (required with "
      "-redis): frames are signed with the first and taken if signed by either",
      cxxopts::value<std::string>(), "FILE")(
      "redis-password-file",
      "log in to Redis with the password on this file's first line (else $GONET_REDIS_PASSWORD)",
      cxxopts::value<std::string>(), "FILE")(
      "redis-tls-ca", "with rediss://: trust the CA certificates in FILE instead of the system's",
      cxxopts::value<std::string>(),
      "FILE")("redis-tls-cert", "with rediss://: present this client certificate (PEM)",
              cxxopts::value<std::string>(),
              "FILE")("redis-tls-key", "with rediss://: the client certificate's key (PEM)",
                      cxxopts::value<std::string>(), "FILE");
}

std::string value_or_empty(const cxxopts::ParseResult& result, const char* flag) {
  return result.count(flag) > 0 ? result[flag].as<std::string>() : std::string();
}

void warn_of_room_flags_without_redis(const cxxopts::ParseResult& result, ChatOptions& chat) {
  for (const char* flag : {"room", "room-key-file", "redis-password-file", "redis-tls-ca",
                           "redis-tls-cert", "redis-tls-key"}) {
    if (result.count(flag) > 0) {
      chat.serve.warnings.push_back("-" + std::string(flag) + " does nothing without -redis");
    }
  }
}

// -redis and the flags of a room across servers, which need it.
void read_room_flags(const cxxopts::ParseResult& result, ChatOptions& chat) {
  chat.room = result["room"].as<std::string>();
  // Part of Redis's keys and channel (and of the ACL rules that name them, where `*?[` would be
  // patterns), and of log lines: plain characters only.
  if (chat.room.empty() || chat.room.size() > kMaxRoomName ||
      chat.room.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789._-") != std::string::npos) {
    bad_value("room", chat.room,
              "want 1 to " + std::to_string(kMaxRoomName) + " letters, digits, '.', '_' or '-'");
  }
  chat.room_key_file = value_or_empty(result, "room-key-file");
  chat.redis_password_file = value_or_empty(result, "redis-password-file");
  chat.redis_tls.flags = "-redis-tls";
  chat.redis_tls.ca_file = value_or_empty(result, "redis-tls-ca");
  chat.redis_tls.cert_file = value_or_empty(result, "redis-tls-cert");
  chat.redis_tls.key_file = value_or_empty(result, "redis-tls-key");
  if (result.count("redis") == 0) return warn_of_room_flags_without_redis(result, chat);

  const auto address = result["redis"].as<std::string>();
  std::string why;
  chat.redis = parse_redis_address(address, why);
  if (!chat.redis) bad_value("redis", address, why);
  if (chat.room_key_file.empty()) {
    throw UsageError(
        "-redis needs -room-key-file, the room's secret key, the same file on every node (make "
        "one with: head -c 32 /dev/urandom | base64 > room.key)");
  }
  const bool tls = chat.redis->transport == RedisAddress::Transport::tls;
  chat.redis_tls.enabled = tls;
  if (!tls && (!chat.redis_tls.ca_file.empty() || !chat.redis_tls.cert_file.empty() ||
               !chat.redis_tls.key_file.empty())) {
    throw UsageError("-redis-tls-ca, -redis-tls-cert and -redis-tls-key need a rediss:// address");
  }
  if (!chat.redis_tls.key_file.empty() && chat.redis_tls.cert_file.empty()) {
    throw UsageError("-redis-tls-key needs -redis-tls-cert");
  }
  if (chat.max_line > kMaxLineOnBus) {
    bad_value("max-line", std::to_string(chat.max_line),
              "want at most " + std::to_string(kMaxLineOnBus) +
                  " with -redis (a frame on the bus is at most 1 MiB)");
  }
}

}  // namespace

ChatOptions parse_chat_options(const Program& program, const std::vector<std::string>& args) {
  auto options = command_line(program);
  add_serve_flags(options, program);
  add_chat_flags(options);
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
  read_room_flags(result, chat);
  return chat;
}

}  // namespace gonet
