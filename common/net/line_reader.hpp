#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>
#include <variant>

#include <asio/awaitable.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/buffer.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/error.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>

#include "common/net/awaitable.hpp"
#include "common/text/line_splitter.hpp"

namespace gonet {

// Lines from a stream as Go's bufio.Scanner reads them (see LineSplitter).
template <class Stream>
class LineReader {
 public:
  LineReader(Stream& stream, std::size_t max_line) : stream_(stream), splitter_(max_line) {}

  std::size_t max_line() const { return splitter_.max_line(); }
  std::size_t buffer_size() const { return splitter_.buffer_size(); }

  using Result = std::pair<std::error_code, std::string>;

  // The next line, without its end. The error is eof when the stream ended after the last line
  // (and for good: every later call says eof too), message_size when a line was longer than
  // max_line, operation_aborted after stop() or when the coroutine was cancelled (an
  // awaitable_operators `||` does that; the reader stays usable), or the stream's own error.
  // `stop`, when connected, cancels the read in progress, and only it (stop() cancels every
  // operation on the stream, a write in flight too); the reader stays usable.
  asio::awaitable<Result> read_line(asio::cancellation_slot stop = {}) {
    for (;;) {
      std::string_view line;
      const auto status = splitter_.next(line);
      if (status == LineSplitter::Status::line) co_return Result{{}, std::string(line)};
      if (status == LineSplitter::Status::too_long) {
        co_return Result{std::make_error_code(std::errc::message_size), {}};
      }
      // Asio never completes a read issued after one that returned EOF: EOF must be sticky.
      if (at_eof_) {
        if (const auto rest = splitter_.rest_at_eof()) co_return Result{{}, std::string(*rest)};
        co_return Result{asio::error::eof, {}};
      }
      if (stopped_) co_return Result{asio::error::operation_aborted, {}};
      const auto space = splitter_.space();
      std::error_code ec;
      std::size_t n = 0;
      // An empty slot bound to the read would replace the coroutine's own (FIELD-NOTES).
      if (stop.is_connected()) {
        std::tie(ec, n) =
            co_await stream_.async_read_some(asio::buffer(space.data(), space.size()),
                                             asio::bind_cancellation_slot(stop, use_nothrow));
      } else {
        std::tie(ec, n) =
            co_await stream_.async_read_some(asio::buffer(space.data(), space.size()), use_nothrow);
      }
      splitter_.commit(n);
      if (ec == asio::error::eof) {
        at_eof_ = true;
      } else if (ec) {
        co_return Result{ec, {}};
      }
    }
  }

  // As read_line(), but gives up once `timeout` has passed on `timer`: nullopt then.
  asio::awaitable<std::optional<Result>> read_line_within(asio::steady_timer& timer,
                                                          std::chrono::nanoseconds timeout) {
    timer.expires_after(timeout);
    auto got = co_await asio::experimental::awaitable_operators::operator||(
        read_line(), timer.async_wait(use_nothrow));
    if (const bool timed_out = got.index() == 1; timed_out) co_return std::nullopt;
    co_return std::get<0>(std::move(got));
  }

  // Ends reading for good: a read in progress ends, as every later one does, with
  // operation_aborted. Unlike cancelling the stream, it also holds for a read that has just
  // completed and is about to read again.
  void stop() {
    stopped_ = true;
    std::error_code ignored;
    stream_.cancel(ignored);
  }

 private:
  Stream& stream_;
  LineSplitter splitter_;
  bool at_eof_ = false;
  bool stopped_ = false;
};

}  // namespace gonet
