#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gonet {

// Where Redis listens and how to reach it, as -redis names it: `HOST:PORT`, `/PATH` (a Unix
// socket), or a URL, `redis://[USER[:PASSWORD]@]HOST[:PORT]`, `rediss://...` (TLS),
// `unix://[USER@]/PATH`. A URL's user and password may be percent-encoded.
struct RedisAddress {
  enum class Transport { tcp, tls, unix_socket };
  Transport transport = Transport::tcp;
  std::string host;  // tcp and tls: a name or an address (IPv6 without brackets)
  std::uint16_t port = 6379;
  std::string path{};      // unix_socket: absolute ({}: aggregates may leave it out)
  std::string user{};      // empty: the default user
  std::string password{};  // the URL's, if it has one (ps shows it)
  bool operator==(const RedisAddress&) const = default;
};

// The address as a log line names it, never with the password: "localhost:6379",
// "rediss://node@redis.example:6380", "/run/redis/redis.sock".
std::string to_string(const RedisAddress& address);

// nullopt with `why` set for what is none of the forms above: "want HOST:PORT, /PATH, or a
// redis://, rediss:// or unix:// URL", "a Unix socket's path must be absolute".
std::optional<RedisAddress> parse_redis_address(std::string_view text, std::string& why);

}  // namespace gonet
