#pragma once

// What the three files of RoomBus share (room_bus.cpp: the link to Redis, up and down;
// room_bus_in.cpp: the frames that come back, checked; room_bus_out.cpp: the frames and names
// that go out). Not for use outside them.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>

#include "common/redis/redis_connection.hpp"
#include "servers/chat/bus/room_bus.hpp"

namespace gonet {

struct RoomBus::Link {
  explicit Link(const asio::any_io_executor& executor) : wake(executor) {}
  std::unique_ptr<RedisConnection> sub;
  std::unique_ptr<RedisConnection> pub;
  std::string why;          // why it ended, once it has
  asio::steady_timer wake;  // the supervisor's; cancelled when the node joins
};

namespace room_bus {

using Clock = std::chrono::steady_clock;

// A fresh node id: 16 hex digits, random.
std::string random_node();
// The wall clock in milliseconds since 1970, as frames carry it.
std::uint64_t now_ms();
// Text from outside (Redis's error replies) as a log line may show it: escaped, and short.
std::string loggable(std::string_view text);

}  // namespace room_bus
}  // namespace gonet
