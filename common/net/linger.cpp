#include "common/net/linger.hpp"

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>

#include "common/net/awaitable.hpp"
#include "common/net/discard.hpp"

namespace gonet {

asio::awaitable<void> linger(asio::ip::tcp::socket& socket, std::chrono::nanoseconds at_most) {
  std::error_code ec;
  socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer limit(socket.get_executor(), at_most);
  co_await (discard_until_eof(socket) || limit.async_wait(use_nothrow));
}

}  // namespace gonet
