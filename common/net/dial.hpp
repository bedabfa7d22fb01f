#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "common/text/address.hpp"

namespace gonet {

// Go's net.Dial("tcp", ...): resolve (a service name too), then try each address in turn. Throws
// Failure worded "connect localhost:8000: connection refused", "lookup nosuchhost: host not
// found" or "lookup localhost:nosuch: service not found". A name in .invalid fails at once.
asio::awaitable<asio::ip::tcp::socket> dial(Endpoint server);

}  // namespace gonet
