#include "common/net/discard.hpp"

#include <array>

#include <asio/post.hpp>

#include "common/net/awaitable.hpp"

namespace gonet {

std::error_code drain(asio::ip::tcp::socket& socket) {
  // What is thrown away can go to the same place for every connection of a thread.
  thread_local std::array<char, 16 * 1024> sink;
  constexpr int kReadsPerTurn = 4;
  std::error_code ec;
  for (int i = 0; i < kReadsPerTurn && !ec; ++i) socket.read_some(asio::buffer(sink), ec);
  return ec;
}

asio::awaitable<std::error_code> discard_until_eof(asio::ip::tcp::socket& socket) {
  for (;;) {
    auto [ec] = co_await socket.async_wait(asio::ip::tcp::socket::wait_read, use_nothrow);
    if (!ec) ec = drain(socket);
    while (!ec) {
      co_await asio::post(socket.get_executor(), asio::use_awaitable);
      ec = drain(socket);
    }
    if (ec != asio::error::would_block) co_return ec;
  }
}

}  // namespace gonet
