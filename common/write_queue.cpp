#include "common/write_queue.hpp"

#include "common/awaitable.hpp"
#include "common/write_within.hpp"

namespace gonet {

WriteQueue::WriteQueue(asio::ip::tcp::socket& socket, std::chrono::nanoseconds write_timeout)
    : socket_(socket),
      write_timeout_(write_timeout),
      line_queued_(socket.get_executor(), asio::steady_timer::time_point::max()),
      room_made_(socket.get_executor(), asio::steady_timer::time_point::max()) {}

asio::awaitable<std::error_code> WriteQueue::write(std::string line) {
  while (!failure_ && queued_bytes_ > kHighWater) {
    co_await room_made_.async_wait(use_nothrow);
  }
  if (failure_) co_return failure_;
  queued_bytes_ += line.size();
  lines_.push_back(std::move(line));
  if (lines_.size() == 1) wake(line_queued_);
  co_return std::error_code{};
}

asio::awaitable<std::error_code> WriteQueue::run() {
  std::error_code ec;
  for (;;) {
    if (lines_.empty()) {
      if (closed_) break;
      co_await line_queued_.async_wait(use_nothrow);
      continue;
    }
    // The line stays at the front, untouched, until it has gone out.
    ec = co_await write_within(socket_, lines_.front(), write_timeout_);
    if (ec) break;
    queued_bytes_ -= lines_.front().size();
    lines_.pop_front();
    if (queued_bytes_ <= kHighWater) wake(room_made_);
  }
  failure_ = ec ? ec : std::make_error_code(std::errc::broken_pipe);
  lines_.clear();
  queued_bytes_ = 0;
  wake(room_made_);
  co_return ec;
}

void WriteQueue::close() {
  closed_ = true;
  wake(line_queued_);
}

}  // namespace gonet
