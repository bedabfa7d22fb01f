#pragma once

#include <system_error>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

namespace gonet {

// Reads and throws away what has arrived, without blocking, but no more than a few buffers a
// call, so that a client that floods cannot keep the event loop from the others. Returns
// would_block once all of it is gone, eof at the end of the client's input, the socket's error,
// or no error when the call's share ran out with input left: call again from a handler posted
// to the loop, so that the others get their turn first. The socket must be in non-blocking mode,
// as Listener::accept leaves it.
std::error_code drain(asio::ip::tcp::socket& socket);

// Reads and throws away everything until the client's input ends (eof) or fails.
asio::awaitable<std::error_code> discard_until_eof(asio::ip::tcp::socket& socket);

}  // namespace gonet
