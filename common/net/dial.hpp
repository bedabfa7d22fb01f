#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "common/text/address.hpp"

namespace gonet {

// Go's net.Dial("tcp", ...): resolve, then try each address in turn. Throws Failure worded
// "connect localhost:8000: connection refused" or "lookup nosuchhost: host not found".
asio::awaitable<asio::ip::tcp::socket> dial(Endpoint server);

}  // namespace gonet
