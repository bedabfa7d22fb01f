#include "common/clock.hpp"

#include <array>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "common/awaitable.hpp"

namespace gonet {
namespace {

using asio::ip::tcp;

// One write at a time per client. A healthy client takes the line straight into its socket
// buffer, with no asynchronous machinery; only a client that stopped reading waits here.
asio::awaitable<std::error_code> write_line(tcp::socket& socket, const std::string& line,
                                            std::chrono::nanoseconds timeout) {
  std::error_code ec;
  const std::size_t sent = socket.write_some(asio::buffer(line), ec);
  if (!ec && sent == line.size()) co_return ec;
  if (ec && ec != asio::error::would_block) co_return ec;

  // The shared line changes at the next tick; the rest of this one is ours to keep.
  const std::string rest = line.substr(ec ? 0 : sent);
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer stuck(socket.get_executor(), timeout);
  const auto done = co_await (asio::async_write(socket, asio::buffer(rest), use_nothrow) ||
                              stuck.async_wait(use_nothrow));
  if (done.index() == 1) co_return asio::error::timed_out;
  co_return std::get<0>(std::get<0>(done));
}

asio::awaitable<std::error_code> send_time(tcp::socket& socket, Clock& clock) {
  auto second = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  for (;;) {
    if (auto ec = co_await write_line(socket, clock.line(second), clock.write_timeout())) {
      co_return ec;
    }
    second = co_await clock.ticker().next_after(second);
  }
}

// Reads whatever is there without blocking; would_block means all of it was read.
std::error_code drain(tcp::socket& socket) {
  // Input is thrown away, so every session of a thread can throw it into the same place.
  thread_local std::array<char, 4096> sink;
  std::error_code ec;
  while (!ec) socket.read_some(asio::buffer(sink), ec);
  return ec;
}

// Keeps a read pending for the whole session, so a client that resets is noticed at once.
asio::awaitable<std::error_code> discard_input(tcp::socket& socket) {
  for (;;) {
    auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, use_nothrow);
    if (!ec) ec = drain(socket);
    if (ec == asio::error::eof) break;
    if (ec != asio::error::would_block) co_return ec;
  }
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
