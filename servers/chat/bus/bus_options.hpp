#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "common/redis/redis_connection.hpp"
#include "servers/chat/bus/room_keys.hpp"

namespace gonet {

// How a node keeps time on the bus. The defaults make the chat server's promises (a dead node's
// clients gone within 10 s, Redis away noticed within 5 s, back within 5 s); a RoomBus made in a
// test may be given shorter ones.
struct BusTimings {
  std::chrono::milliseconds beat{1000};
  // Our own heartbeat not back within this long (or a connection not made and logged in): Redis
  // is away.
  std::chrono::milliseconds silent_after{3000};
  // A node whose frames stop this long is dead: with the check each beat, its clients are
  // announced gone within 10 s of its end.
  std::chrono::milliseconds dead_after{8000};
  // Back in the room after Redis was away, a node has heard nothing of the others meanwhile.
  // Every node retries within last_retry of Redis's return and heartbeats as it subscribes, so a
  // node alive is heard within about a second; one not heard within this long died meanwhile, and
  // its clients are announced gone within 5 s of Redis's return.
  std::chrono::milliseconds rejoin_grace{2500};
  // A link down is tried again after first_retry, then twice as long each time, up to last_retry.
  std::chrono::milliseconds first_retry{250};
  std::chrono::milliseconds last_retry{1000};
};

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
