#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "common/redis/redis_connection.hpp"
#include "servers/chat/bus/bus_timings.hpp"
#include "servers/chat/bus/room_keys.hpp"

namespace gonet {

// What a node needs to be on a room's bus: the way to Redis and the login, the room, its keys,
// and the longest line a frame may carry.
struct BusOptions {
  RedisLink redis;
  std::string room = "chat";
  std::shared_ptr<const RoomKeys> keys;
  std::size_t max_line = 65536;
  BusTimings timings;
};

}  // namespace gonet
