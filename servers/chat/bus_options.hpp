#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/redis/redis_connection.hpp"
#include "servers/chat/chat_options.hpp"
#include "servers/chat/room_keys.hpp"

namespace gonet {

// What a node needs to be on a room's bus: the way to Redis and the login, the room, its keys,
// and the longest line a frame may carry.
struct BusOptions {
  RedisLink redis;
  std::string room = "chat";
  std::shared_ptr<const RoomKeys> keys;
  std::size_t max_line = 65536;
};

// The bus's options from -redis and its flags, with the secrets read: the room's keys
// (-room-key-file), the password (-redis-password-file, else $GONET_REDIS_PASSWORD, else the
// URL's, with a warning that ps shows it) and the TLS configuration for rediss://. Throws
// Failure, one line: "read -redis-password-file pw: no such file or directory".
BusOptions load_bus_options(const ChatOptions& options);

}  // namespace gonet
