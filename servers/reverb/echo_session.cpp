#include "servers/reverb/echo_session.hpp"

#include <algorithm>

#include <asio/experimental/awaitable_operators.hpp>
#include <spdlog/spdlog.h>

#include "common/net/awaitable.hpp"
#include "common/net/discard.hpp"
#include "common/net/log.hpp"
#include "common/net/session_end.hpp"
#include "common/text/duration.hpp"
#include "servers/reverb/loop_lag.hpp"

namespace gonet {
namespace {

using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

}  // namespace

EchoSession::EchoSession(Connection& conn, const ReverbOptions& options)
    : conn_(conn),
      idle_timeout_(options.idle_timeout),
      lines_(conn.socket(), options.max_line),
      // A client that cannot take its echoes will not get the next ones either: stop reading.
      out_(conn.socket(), options.serve.write_timeout,
           [this](std::error_code why) { stop_reading(why); }),
      echoes_(conn.socket().get_executor()),
      changed_(conn.socket().get_executor()),
      idle_(conn.socket().get_executor()) {}

asio::awaitable<std::optional<std::string>> EchoSession::next_shout() {
  while ((echoes_.size() >= kMaxPendingEchoes || pending_bytes_ >= kMaxPendingBytes) && !why_) {
    co_await changed_.wait();
  }
  // More than a fair share pending while the loop is behind: this client's next echo waits,
  // not the others'. Asked again within kFresh, as a behind() answer is good for no longer.
  while (echoes_.size() > kFairShare && !why_ &&
         LoopLag::here().behind(std::chrono::steady_clock::now())) {
    asio::steady_timer moment(conn_.socket().get_executor(), LoopLag::kFresh / 2);
    co_await moment.async_wait(use_nothrow);
  }
  if (why_) co_return std::nullopt;
  auto [ec, line] = co_await read_line();
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
  co_return std::optional<std::string>(std::move(line));
}

asio::awaitable<std::pair<std::error_code, std::string>> EchoSession::read_line() {
  if (idle_timeout_.count() == 0) co_return co_await lines_.read_line();
  // A deadline around each read: only time spent waiting for a line counts, and reverb1 does
  // not read while it echoes.
  auto got = co_await lines_.read_line_within(idle_, idle_timeout_);
  if (!got) {
    spdlog::debug("{}: no line for {}", to_string(conn_.peer()), format_duration(idle_timeout_));
    co_return std::pair{std::error_code(asio::error::timed_out), std::string()};
  }
  co_return std::move(*got);
}

asio::awaitable<void> EchoSession::finish() {
  co_await echoes_.wait();
  co_await out_.flush();
  const SessionEnd end{.why = why_,
                       .largest_buffer = std::max(most_pending_bytes_, lines_.buffer_size())};
  co_await end_session(conn_, end);
}

void EchoSession::stop_reading(std::error_code why) {
  if (!why_) why_ = why;
  // Cancels every operation on the socket; WriteQueue reports a failure with none of its own
  // pending, so only a read can be.
  lines_.stop();
  changed_.notify_all();
}

}  // namespace gonet
