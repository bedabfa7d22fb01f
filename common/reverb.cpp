#include "common/reverb.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <utility>

#include "common/awaitable.hpp"
#include "common/discard.hpp"
#include "common/duration.hpp"
#include "common/log.hpp"
#include "common/memory.hpp"

namespace gonet {
namespace {

using asio::ip::tcp;

// After an ending the client did not ask for, input may still be arriving; closing a socket
// with unread input resets the connection, and the reset can destroy echoes still in flight.
// So stop sending, and read and discard until the client closes too, for a second at most.
asio::awaitable<void> linger(tcp::socket& socket) {
  using namespace asio::experimental::awaitable_operators;
  std::error_code ec;
  socket.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) co_return;
  asio::steady_timer limit(socket.get_executor(), std::chrono::seconds(1));
  co_await (discard_until_eof(socket) || limit.async_wait(use_nothrow));
}

}  // namespace

Reverb::Reverb(Connection& conn, const ReverbOptions& options)
    : conn_(conn),
      idle_timeout_(options.idle_timeout),
      lines_(conn.socket(), options.max_line),
      // A client that cannot take its echoes will not get the next ones either: stop reading.
      out_(conn.socket(), options.serve.write_timeout,
           [this](std::error_code why) { stop_reading(why); }),
      changed_(conn.socket().get_executor(), asio::steady_timer::time_point::max()) {
  std::error_code ec;
  conn_.socket().non_blocking(true, ec);
  if (idle_timeout_.count() > 0) {
    idle_.emplace(conn.socket().get_executor());
    watching_idle_ = true;
    asio::co_spawn(conn.socket().get_executor(), watch_idle(), [this](const std::exception_ptr&) {
      watching_idle_ = false;
      changed_.cancel();
    });
  }
}

asio::awaitable<std::optional<std::string>> Reverb::next_shout() {
  while ((echoes_ >= kMaxPendingEchoes || pending_bytes_ >= kMaxPendingBytes) && !why_) {
    co_await wait_until_changed();
  }
  if (why_) co_return std::nullopt;
  reading_ = true;
  idle_deadline_ = std::chrono::steady_clock::now() + idle_timeout_;
  auto [ec, line] = co_await lines_.read_line(stop_reading_.slot());
  reading_ = false;
  if (ec) {
    if (ec == std::errc::message_size) {
      // One per event loop, as the accept warnings are: any client can provoke it at will.
      thread_local RateLimitedWarning too_long;
      too_long.warn(fmt::format("{}: line longer than {} bytes; closing after the pending echoes",
                                to_string(conn_.peer()), lines_.max_line()));
    }
    if (!why_) why_ = ec;  // a stop_reading() reason stands over the operation_aborted it caused
    co_return std::nullopt;
  }
  last_shout_bytes_ = line.size();
  co_return std::optional<std::string>(std::move(line));
}

void Reverb::spawn(asio::awaitable<void> echo) {
  ++echoes_;
  const std::size_t bytes = std::exchange(last_shout_bytes_, 0);
  pending_bytes_ += bytes;
  most_pending_bytes_ = std::max(most_pending_bytes_, pending_bytes_);
  asio::co_spawn(conn_.socket().get_executor(), std::move(echo),
                 [this, bytes](const std::exception_ptr&) {
                   --echoes_;
                   pending_bytes_ -= bytes;
                   changed_.cancel();
                 });
}

asio::awaitable<void> Reverb::finish() {
  while (echoes_ > 0) co_await wait_until_changed();
  co_await out_.flush();
  finishing_ = true;
  if (idle_) idle_->cancel();
  while (watching_idle_) co_await wait_until_changed();
  if (why_ != asio::error::eof && why_ != asio::error::connection_reset) {
    co_await linger(conn_.socket());
  }
  // A flood's echoes were freed into the allocator's heap, which keeps them; hand them back.
  if (most_pending_bytes_ >= kMaxPendingBytes / 4) give_back_free_memory();
  conn_.log_end(why_);
}

asio::awaitable<void> Reverb::watch_idle() {
  using std::chrono::steady_clock;
  while (!finishing_) {
    // Only time spent waiting for a line counts: reverb1 does not read while it echoes.
    idle_->expires_at(reading_ ? idle_deadline_ : steady_clock::now() + idle_timeout_);
    co_await idle_->async_wait(use_nothrow);
    if (!finishing_ && reading_ && steady_clock::now() >= idle_deadline_) {
      spdlog::debug("{}: no line for {}", to_string(conn_.peer()), format_duration(idle_timeout_));
      stop_reading(asio::error::timed_out);
      break;
    }
  }
}

asio::awaitable<void> Reverb::wait_until_changed() { co_await changed_.async_wait(use_nothrow); }

void Reverb::stop_reading(std::error_code why) {
  if (!why_) why_ = why;
  stop_reading_.emit(asio::cancellation_type::terminal);
}

}  // namespace gonet
