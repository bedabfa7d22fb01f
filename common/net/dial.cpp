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
  tcp::resolver resolver(executor);
  auto [resolve_error, addresses] = co_await resolver.async_resolve(
      server.host, std::to_string(server.port), tcp::resolver::numeric_service, use_nothrow);
  if (resolve_error) throw Failure("lookup " + server.host, resolve_error);

  tcp::socket socket(executor);
  auto [connect_error, peer] = co_await asio::async_connect(socket, addresses, use_nothrow);
  if (connect_error) throw Failure("connect " + to_string(server), connect_error);
  std::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  spdlog::debug("connected to {}", to_string(peer));
  co_return socket;
}

}  // namespace gonet
