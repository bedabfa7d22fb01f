// The PROXY protocol on an accepted connection: the header a load balancer (HAProxy's
// send-proxy, send-proxy-v2) puts before the client's own bytes, read and taken off the socket
// before any session sees it.
#pragma once

#include <chrono>
#include <string>
#include <variant>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

namespace gonet {

// How long a connection may take to send its whole header.
inline constexpr std::chrono::seconds kProxyHeaderTimeout{5};

// Reads the header `socket` begins with, and not a byte more: what follows stays in the socket
// for the session. Returns the client's address (`proxy`, the connection's own peer, for a v1
// UNKNOWN or v2 LOCAL header), or why there is none: missing, malformed, too slow, closed.
asio::awaitable<std::variant<asio::ip::tcp::endpoint, std::string>> read_proxy_header(
    asio::ip::tcp::socket& socket, const asio::ip::tcp::endpoint& proxy,
    std::chrono::steady_clock::duration within = kProxyHeaderTimeout);

}  // namespace gonet
