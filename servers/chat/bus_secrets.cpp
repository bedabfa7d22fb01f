#include "servers/chat/bus_secrets.hpp"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <system_error>

#include <spdlog/spdlog.h>

#include "common/net/failure.hpp"

namespace gonet {
namespace {

std::string first_line(const std::string& flag, const std::string& path) {
  std::ifstream file(path);
  std::string line;
  if (!file || !std::getline(file, line)) {
    if (file.eof()) throw Failure(flag + " " + path + ": it is empty");
    throw Failure("read " + flag + " " + path, std::error_code(errno, std::system_category()));
  }
  if (line.ends_with('\r')) line.pop_back();
  return line;
}

}  // namespace

BusOptions load_bus_options(const ChatOptions& options) {
  BusOptions bus;
  bus.redis.address = *options.redis;
  bus.room = options.room;
  bus.max_line = options.max_line;
  bus.keys = std::make_shared<const RoomKeys>(load_room_keys(options.room_key_file));
  RedisAddress& address = bus.redis.address;
  // Never kept where a log line might print it.
  const std::string in_url = std::exchange(address.password, {});
  if (!options.redis_password_file.empty()) {
    bus.redis.password = first_line("-redis-password-file", options.redis_password_file);
  } else if (const char* from_environment = std::getenv("GONET_REDIS_PASSWORD");
             from_environment != nullptr && *from_environment != '\0') {
    bus.redis.password = from_environment;
  } else if (!in_url.empty()) {
    spdlog::warn(
        "-redis: a password in the URL is seen by anyone who runs ps; use "
        "-redis-password-file or $GONET_REDIS_PASSWORD");
    bus.redis.password = in_url;
  }
  if (!address.user.empty() && bus.redis.password.empty()) {
    throw Failure("-redis names the user " + address.user +
                  " but no password: give -redis-password-file or $GONET_REDIS_PASSWORD");
  }
  if (address.transport == RedisAddress::Transport::tls) {
    bus.redis.tls = std::make_shared<TlsConfig>(options.redis_tls);
  }
  if (const char* timings = std::getenv("GONET_CHAT_BUS_TIMINGS"); timings != nullptr) {
    bus.timings = parse_bus_timings(timings);
  }
  return bus;
}

}  // namespace gonet
