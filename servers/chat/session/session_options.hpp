#pragma once

#include <chrono>
#include <cstddef>

namespace gonet {

// -rate's bursts: a client may send this many seconds' worth of lines at once.
inline constexpr unsigned kRateBurstSeconds = 5;

// What one chat connection is held to (the chat server's flags of the same names).
struct SessionOptions {
  std::chrono::nanoseconds idle_timeout = std::chrono::minutes(5);  // 0: off
  std::chrono::nanoseconds write_timeout = std::chrono::seconds(30);
  std::size_t queue = 256;  // messages waiting for the client, at most
  std::size_t max_line = 65536;
  unsigned rate = 20;  // lines taken a second from the client's address, on average; 0: no limit
  bool names = false;  // ask the newcomer its name
};

}  // namespace gonet
