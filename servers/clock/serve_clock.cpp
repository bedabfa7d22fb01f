#include "servers/clock/serve_clock.hpp"

#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include "common/net/awaitable.hpp"
#include "common/net/discard.hpp"
#include "common/net/write_within.hpp"

namespace gonet {

asio::awaitable<void> serve_clock(Connection conn, Clock clock) {
  using asio::ip::tcp;
  tcp::socket& socket = conn.socket();
  ClockClient client(socket, clock);
  client.write(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
  // A client that half-closes (nc -N) keeps its ticks, as in Go; if it really closed, the next
  // tick provokes a reset, which the wait for an error then sees at once.
  bool half_closed = false;
  std::error_code why;
  while (!why) {
    if (!client.rest().empty()) {
      // At most one write in flight: the ticks that come while it waits are skipped, not queued.
      why = co_await write_within(socket, client.rest(), clock.write_timeout());
      client.caught_up();
      continue;
    }
    if ((why = client.error())) break;
    // Between ticks, one wait on the socket is all the session has pending. The clock cancels
    // it when a tick leaves something behind.
    client.join();
    const auto event = half_closed ? tcp::socket::wait_error : tcp::socket::wait_read;
    auto [ec] = co_await socket.async_wait(event, use_nothrow);
    if (ec == asio::error::operation_aborted) continue;
    if (half_closed) {
      why = ec ? ec : std::error_code(asio::error::connection_reset);
      continue;
    }
    // What the client sends is thrown away, a few buffers a turn, so that a flood cannot keep
    // the others waiting: input left after this turn's share waits until they have had theirs.
    if (!ec) ec = drain(socket);
    if (!ec) {
      co_await asio::post(socket.get_executor(), asio::use_awaitable);
    } else if (ec == asio::error::eof) {
      half_closed = true;
    } else if (ec != asio::error::would_block) {
      why = ec;
    }
  }
  conn.log_end(why);
}

}  // namespace gonet
