#pragma once

#include <cstdint>
#include <string_view>

#include <asio/awaitable.hpp>

#include "servers/chat/room/bus_event.hpp"
#include "servers/chat/room/names.hpp"

namespace gonet {

// What a room shared by many servers needs of the bus between them (-redis): a way to tell the
// others what happens here, and names taken room-wide. The room owns this; bus/ implements it and
// hands the room what comes back, checked, as BusEvents (Broadcaster::from_bus).
class Bus {
 public:
  // From any event loop, under the broadcaster's lock: each goes out after every one before it.
  virtual void publish_arrived(const BusMember& member) = 0;
  virtual void publish_said(std::uint64_t id, std::string_view text) = 0;
  virtual void publish_left(std::uint64_t id) = 0;
  // Takes `keys` room-wide for this node: true only when the bus answers that they are ours (or
  // without asking, while this node is cut off).
  virtual asio::awaitable<bool> claim(NameKeys keys) = 0;
  virtual void release(NameKeys keys) = 0;

 protected:
  ~Bus() = default;
};

}  // namespace gonet
