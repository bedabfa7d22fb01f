#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "common/cli/program.hpp"
#include "common/net/serve_options.hpp"
#include "common/redis/redis_address.hpp"
#include "common/tls/tls_options.hpp"
#include "servers/chat/session/session_options.hpp"

namespace gonet {

// The chat server's options: the server's, and the room's (help group "chat").
struct ChatOptions {
  ServeOptions serve;
  std::chrono::nanoseconds idle_timeout = std::chrono::minutes(5);  // 0: off
  std::size_t queue = 256;  // messages waiting for one client, at most
  bool names = false;       // ask each newcomer its name
  std::size_t max_line = 65536;
  unsigned rate = 20;  // lines taken from one client a second, on average; 0: no limit
  bool raw = false;    // relay text as the book does, terminal controls included
  // -redis: one node of a room shared on this Redis.
  std::optional<RedisAddress> redis;
  std::string room = "chat";
  std::string room_key_file;
  std::string redis_password_file;  // else $GONET_REDIS_PASSWORD, else the URL's
  TlsOptions redis_tls;             // rediss://

  SessionOptions session() const {
    return SessionOptions{idle_timeout, serve.write_timeout, queue, max_line, rate, names};
  }
};

// Throws UsageError or EarlyExit; `args` are the arguments after the program's name.
ChatOptions parse_chat_options(const Program& program, const std::vector<std::string>& args);

}  // namespace gonet
