#pragma once

#include <chrono>
#include <functional>
#include <system_error>

#include <asio/awaitable.hpp>

#include "servers/chat/client/client.hpp"

namespace gonet {

// The book's clientWriter, for a client whose socket did not take all that was flushed to it:
// waits until the socket takes the rest, and whatever the queue gathered meanwhile, in order,
// each line whole, until the queue is closed and empty. A client that keeps up never needs it.
// A write that fails, or is still unfinished after `write_timeout`, ends the writing: the queue is
// abandoned, `on_failure` hears why (once, with no operation of the writer's on the socket
// pending, so it may cancel the socket's), and the writer waits only for the close.
asio::awaitable<void> client_writer(Client& client, std::chrono::nanoseconds write_timeout,
                                    std::function<void(std::error_code)> on_failure);

}  // namespace gonet
