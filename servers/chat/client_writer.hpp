#pragma once

#include <chrono>
#include <functional>
#include <system_error>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "servers/chat/client.hpp"

namespace gonet {

// The book's clientWriter: writes what the client's queue holds, in order, each line whole, until
// the queue is closed and empty. A client that keeps up takes each batch straight into its socket
// buffer; only a client that does not waits here, while the queue fills and then skips for it.
// A write that fails, or is still unfinished after `write_timeout`, ends the writing: the queue is
// abandoned, `on_failure` hears why (once, with no operation of the writer's on the socket
// pending, so it may cancel the socket's), and the writer waits only for the close.
asio::awaitable<void> client_writer(asio::ip::tcp::socket& socket, Client& client,
                                    std::chrono::nanoseconds write_timeout,
                                    std::function<void(std::error_code)> on_failure);

}  // namespace gonet
