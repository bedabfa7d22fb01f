#include "common/net/write_within.hpp"

#include <string>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "common/net/awaitable.hpp"

namespace gonet {

asio::awaitable<std::error_code> write_within(asio::ip::tcp::socket& socket, std::string_view data,
                                              std::chrono::nanoseconds timeout) {
  std::error_code ec;
  const std::size_t sent = socket.write_some(asio::buffer(data), ec);
  if (!ec && sent == data.size()) co_return ec;
  if (ec && ec != asio::error::would_block) co_return ec;

  // The caller's bytes may change while we wait (a line shared by many sessions may change).
  const std::string rest(data.substr(ec ? 0 : sent));
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer stuck(socket.get_executor(), timeout);
  const auto done = co_await (asio::async_write(socket, asio::buffer(rest), use_nothrow) ||
                              stuck.async_wait(use_nothrow));
  if (done.index() == 1) co_return asio::error::timed_out;
  co_return std::get<0>(std::get<0>(done));
}

}  // namespace gonet
