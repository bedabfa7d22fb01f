#pragma once

#include <cstddef>
#include <system_error>

#include <asio/awaitable.hpp>

#include "common/net/connection.hpp"

namespace gonet {

// How a session ended: why no more was read, whether a write failed, and the most its buffers
// (lines, queued output) held at once.
struct SessionEnd {
  std::error_code why;
  bool writes_failed = false;
  std::size_t largest_buffer = 0;
};

// The end every session makes once its last write is out: unless the client closed or reset
// first (or a write failed), the server lingers, so that what it sent last is not lost to a
// reset; a session that held large buffers hands the memory back; and the end is logged.
asio::awaitable<void> end_session(Connection& conn, const SessionEnd& end);

}  // namespace gonet
