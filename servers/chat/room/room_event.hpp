#pragma once

#include "servers/chat/client/client.hpp"
#include "servers/chat/client/outgoing_queue.hpp"

namespace gonet {

// What the broadcaster hands an event loop, in the one order of the room.
struct RoomEvent {
  enum class Kind {
    message,   // `line` to every client of the loop
    admitted,  // `client` is in the room: it gets `line` ("You are NAME") and `present`, if any
    removed,   // `client` has left: no more messages for it
    notice,    // `line` to `client` alone, if it is in the room
  };
  Kind kind;
  Message line;
  Message present;
  Client* client = nullptr;  // a client of the loop the event goes to
};

}  // namespace gonet
