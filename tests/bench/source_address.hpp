// Where a load generator's connections come from.
#pragma once

#include <cstddef>

#include <asio/ip/tcp.hpp>

namespace bench {

// Opens `socket` to dial `server`, from a source address picked by `index` among 64 loopback
// addresses (127.0.0.2 to 127.0.0.65) when the server is on IPv4 loopback; the port is left to
// connect(). From one source address, Linux finds each connection's ephemeral port by trying
// the ports already used towards the same server one by one: at 19,900 connections (more with
// a churn run's TIME_WAIT sockets) each connect() spent milliseconds in the kernel, inside the
// generator's one event loop, which then read ticks seconds late and blamed the server.
void open_from_spread_source(asio::ip::tcp::socket& socket, const asio::ip::tcp::endpoint& server,
                             std::size_t index);

}  // namespace bench
