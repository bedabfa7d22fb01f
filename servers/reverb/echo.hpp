#pragma once

#include <chrono>
#include <string>

#include <asio/awaitable.hpp>

#include "common/net/write_queue.hpp"

namespace gonet {

// The book's echo: the shout in upper case, as it was, then in lower case, `delay` apart, each
// as Go's fmt.Fprintln(c, "\t", text) writes it: "\t " + text + "\n".
asio::awaitable<void> echo(WriteQueue& out, std::string shout, std::chrono::nanoseconds delay);

}  // namespace gonet
