#pragma once

#include <functional>

#include <asio/awaitable.hpp>

#include "common/net/listener.hpp"
#include "common/net/serve_options.hpp"

namespace gonet {

// A program's accept loop, started once per event loop with that loop's listener.
using AcceptLoop = std::function<asio::awaitable<void>(Listener)>;

// Listens as `options` say, logs "listening on ADDR:PORT", runs `accept_loop` on each of
// -threads event loops, and on SIGINT or SIGTERM stops accepting, closes every connection and
// returns 0. Returns 1, having logged why, when it cannot listen. Call it from main.
int run_server(const ServeOptions& options, const AcceptLoop& accept_loop);

}  // namespace gonet
