#include "common/write_queue.hpp"

#include <asio/co_spawn.hpp>

#include "common/awaitable.hpp"
#include "common/write_within.hpp"

namespace gonet {

WriteQueue::WriteQueue(asio::ip::tcp::socket& socket, std::chrono::nanoseconds write_timeout,
                       FailureHandler on_failure)
    : socket_(socket),
      write_timeout_(write_timeout),
      on_failure_(std::move(on_failure)),
      changed_(socket.get_executor(), asio::steady_timer::time_point::max()) {}

asio::awaitable<std::error_code> WriteQueue::write(std::string line) {
  while (!failure_ && queued_bytes_ > kHighWater) co_await changed_.async_wait(use_nothrow);
  if (failure_) co_return failure_;
  if (queue_empty()) {
    // Nothing waits, so nothing is being written: the socket may take the line at once.
    std::error_code ec;
    const std::size_t sent = socket_.write_some(asio::buffer(line), ec);
    if (!ec && sent == line.size()) co_return ec;
    if (ec && ec != asio::error::would_block) {
      fail(ec);
      co_return ec;
    }
    line.erase(0, ec ? 0 : sent);  // the rest goes first, before any later line
  }
  queued_bytes_ += line.size();
  lines_.push_back(std::move(line));
  if (!sending_) {
    sending_ = true;
    ++senders_alive_;
    asio::co_spawn(socket_.get_executor(), send_queued(), [this](const std::exception_ptr&) {
      --senders_alive_;
      changed_.cancel();
    });
  }
  co_return std::error_code{};
}

asio::awaitable<void> WriteQueue::send_queued() {
  while (!queue_empty()) {
    // The line stays in place, untouched, until it has gone out.
    if (const auto ec = co_await write_within(socket_, lines_[head_], write_timeout_)) {
      fail(ec);
      break;
    }
    queued_bytes_ -= lines_[head_].size();
    if (++head_ == lines_.size()) {
      lines_.clear();
      head_ = 0;
    }
    changed_.cancel();  // room for writers held back, and news for flush()
  }
  sending_ = false;  // before any other coroutine runs: the next write() sees an empty queue
}

asio::awaitable<void> WriteQueue::flush() {
  while (senders_alive_ > 0) co_await changed_.async_wait(use_nothrow);
}

void WriteQueue::fail(std::error_code why) {
  if (failure_) return;
  failure_ = why;
  lines_.clear();
  head_ = 0;
  queued_bytes_ = 0;
  changed_.cancel();
  if (on_failure_) on_failure_(why);
}

}  // namespace gonet
