#include "common/net/dial.hpp"

#include <asio/connect.hpp>
#include <asio/this_coro.hpp>
#include <spdlog/spdlog.h>

#include "common/net/awaitable.hpp"
#include "common/net/connection.hpp"
#include "common/net/failure.hpp"

namespace gonet {

asio::awaitable<asio::ip::tcp::socket> dial(Endpoint server) {
  using asio::ip::tcp;
  const auto executor = co_await asio::this_coro::executor;
  // RFC 6761: a resolver answers for .invalid itself, so such a lookup never leaves the machine.
  if (is_in_invalid_domain(server.host)) {
    throw Failure("lookup " + server.host, asio::error::host_not_found);
  }
  tcp::resolver resolver(executor);
  // A service name ("http") is getaddrinfo's to look up, as for nc; a number is only a number.
  const bool named = !server.service.empty();
  std::string service = server.service;
  auto flags = tcp::resolver::flags();
  if (!named) {
    service = std::to_string(server.port);
    flags = tcp::resolver::numeric_service;
  }
  auto [resolve_error, addresses] =
      co_await resolver.async_resolve(server.host, service, flags, use_nothrow);
  if (resolve_error) {
    // "lookup nosuch.invalid: host not found"; "lookup localhost:nosuch: service not found"
    std::string looked_up = server.host;
    if (named) looked_up = to_string(server);
    throw Failure("lookup " + looked_up, resolve_error);
  }

  tcp::socket socket(executor);
  auto [connect_error, peer] = co_await asio::async_connect(socket, addresses, use_nothrow);
  if (connect_error) throw Failure("connect " + to_string(server), connect_error);
  std::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  spdlog::debug("connected to {}", to_string(peer));
  co_return socket;
}

}  // namespace gonet
