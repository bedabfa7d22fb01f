#include "common/clock.hpp"

#include <asio/experimental/awaitable_operators.hpp>

#include "common/awaitable.hpp"
#include "common/discard.hpp"
#include "common/write_within.hpp"

namespace gonet {
namespace {

using asio::ip::tcp;

// At most one write in flight: a tick that comes while a write waits is skipped, not queued.
asio::awaitable<std::error_code> send_time(tcp::socket& socket, Clock& clock) {
  auto second = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  for (;;) {
    if (auto ec = co_await write_within(socket, clock.line(second), clock.write_timeout())) {
      co_return ec;
    }
    second = co_await clock.ticker().next_after(second);
  }
}

// Keeps a read pending for the whole session, so a client that resets is noticed at once.
asio::awaitable<std::error_code> discard_input(tcp::socket& socket) {
  if (const auto ec = co_await discard_until_eof(socket); ec != asio::error::eof) co_return ec;
  // EOF: the client half-closed (nc -N) or closed. Go keeps sending either way, and so do we;
  // if it closed, the next tick provokes a reset, which ends the session here at once.
  auto [ec] = co_await socket.async_wait(tcp::socket::wait_error, use_nothrow);
  co_return ec ? ec : std::error_code(asio::error::connection_reset);
}

}  // namespace

asio::awaitable<void> serve_clock(Connection conn, Clock& clock) {
  using namespace asio::experimental::awaitable_operators;
  std::error_code ec;
  conn.socket().non_blocking(true, ec);
  const auto ended = co_await (send_time(conn.socket(), clock) || discard_input(conn.socket()));
  conn.log_end(std::visit([](const std::error_code& why) { return why; }, ended));
}

}  // namespace gonet
