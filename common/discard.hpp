#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <system_error>

namespace gonet {

// Reads and throws away whatever has arrived, without blocking. Returns would_block once all of
// it is gone, eof at the end of the client's input, or the socket's error. The socket must be in
// non-blocking mode.
std::error_code drain(asio::ip::tcp::socket& socket);

// Reads and throws away everything until the client's input ends (eof) or fails.
asio::awaitable<std::error_code> discard_until_eof(asio::ip::tcp::socket& socket);

}  // namespace gonet
