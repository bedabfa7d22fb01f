#include "servers/clock/clock.hpp"

#include <memory>

#include <asio/cancellation_signal.hpp>
#include <asio/post.hpp>

#include "common/net/awaitable.hpp"
#include "common/net/discard.hpp"
#include "common/net/write_within.hpp"

namespace gonet {
namespace {

using asio::ip::tcp;

// What the read side of a session tells the tick side: that the client has gone, and why.
struct ClientGone {
  asio::cancellation_signal signal;  // stops the tick side's wait for the next second
  std::error_code why;
  bool session_over = false;
  bool half_closed = false;
};

// The read side of a session: keeps a read pending for the whole session, throws the input
// away, and notices at once a client that resets. A chain of callbacks rather than a second
// coroutine, because it runs for every client and a coroutine pair costs kilobytes per client.
// It shares its state with the session, which may end while a callback is still queued.
struct WatchInput {
  tcp::socket* socket;
  std::shared_ptr<ClientGone> gone;

  void operator()(std::error_code ec) {
    if (gone->session_over) return;  // the socket may be gone with the session
    if (!gone->half_closed) {
      if (!ec) ec = drain(*socket);
      // Input left after this turn's share: the others go first, then more of it.
      if (!ec) return asio::post(socket->get_executor(), [watch = *this]() mutable { watch({}); });
      if (ec == asio::error::would_block) return socket->async_wait(tcp::socket::wait_read, *this);
      if (ec == asio::error::eof) {
        // The client half-closed (nc -N) or closed. Go keeps sending either way, and so do we;
        // if it closed, the next tick provokes a reset, which lands here at once.
        gone->half_closed = true;
        return socket->async_wait(tcp::socket::wait_error, *this);
      }
    }
    gone->why = ec ? ec : std::error_code(asio::error::connection_reset);
    gone->signal.emit(asio::cancellation_type::terminal);
  }
};

// At most one write in flight: a tick that comes while a write waits is skipped, not queued.
asio::awaitable<std::error_code> send_time(tcp::socket& socket, Clock& clock, ClientGone& gone) {
  auto second = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  for (;;) {
    if (auto ec = co_await write_within(socket, clock.line(second), clock.write_timeout())) {
      co_return ec;
    }
    if (gone.why) co_return gone.why;
    const auto next = co_await clock.ticker().next_after(second, gone.signal.slot());
    if (!next) co_return gone.why;
    second = *next;
  }
}

}  // namespace

asio::awaitable<void> serve_clock(Connection conn, Clock& clock) {
  const auto gone = std::make_shared<ClientGone>();
  conn.socket().async_wait(tcp::socket::wait_read, WatchInput{&conn.socket(), gone});
  conn.log_end(co_await send_time(conn.socket(), clock, *gone));
  gone->session_over = true;
}

}  // namespace gonet
