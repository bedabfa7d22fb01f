#pragma once

#include <chrono>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

namespace gonet {

// Ends a connection the client did not end: closing a socket with unread input resets the
// connection, and the reset can destroy what was sent last before the client reads it. So stop
// sending (the client sees EOF after everything sent), then read and discard until the client
// closes too, for `at_most`.
asio::awaitable<void> linger(asio::ip::tcp::socket& socket,
                             std::chrono::nanoseconds at_most = std::chrono::seconds(1));

}  // namespace gonet
