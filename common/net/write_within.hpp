#pragma once

#include <chrono>
#include <string_view>
#include <system_error>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

namespace gonet {

// Writes all of `data`, or fails with timed_out when the write is still unfinished after
// `timeout`. A client that keeps up takes the bytes straight into its socket buffer, with no
// asynchronous machinery at all; only a client that stopped reading waits here. `data` need not
// outlive the call. The socket must be in non-blocking mode, as Listener::accept leaves it.
asio::awaitable<std::error_code> write_within(asio::ip::tcp::socket& socket, std::string_view data,
                                              std::chrono::nanoseconds timeout);

}  // namespace gonet
