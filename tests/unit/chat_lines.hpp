// What the chat's unit tests deliver: a line as the room shares it.
#pragma once

#include <memory>
#include <string>

#include "servers/chat/client/outgoing_queue.hpp"

namespace gonet {

inline Message text(const std::string& line) {
  return std::make_shared<const std::string>(line + "\n");
}

}  // namespace gonet
