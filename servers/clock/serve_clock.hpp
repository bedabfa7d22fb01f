#pragma once

#include <asio/awaitable.hpp>

#include "common/net/connection.hpp"
#include "servers/clock/clock.hpp"

namespace gonet {

// The book's handleConn: the time at once, then at every second boundary, until the client goes
// away or its write has been stuck for the write timeout. What the client sends is thrown away.
asio::awaitable<void> serve_clock(Connection conn, Clock clock);

}  // namespace gonet
