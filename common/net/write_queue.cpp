#include "common/net/write_queue.hpp"

#include "common/net/write_within.hpp"

namespace gonet {

WriteQueue::WriteQueue(asio::ip::tcp::socket& socket, std::chrono::nanoseconds write_timeout,
                       FailureHandler on_failure)
    : socket_(socket),
      write_timeout_(write_timeout),
      on_failure_(std::move(on_failure)),
      room_(socket.get_executor()),
      sender_(socket.get_executor()) {}

asio::awaitable<std::error_code> WriteQueue::write(std::string line) {
  if (full()) co_await room();
  co_return put(std::move(line));
}

std::error_code WriteQueue::put(std::string line) {
  if (failure_) return failure_;
  if (queue_empty()) {
    // Nothing waits, so nothing is being written: the socket may take the line at once.
    std::error_code ec;
    const std::size_t sent = socket_.write_some(asio::buffer(line), ec);
    if (!ec && sent == line.size()) return ec;
    if (ec && ec != asio::error::would_block) {
      fail(ec);
      return ec;
    }
    line.erase(0, ec ? 0 : sent);  // the rest goes first, before any later line
  }
  queued_bytes_ += line.size();
  lines_.push_back(std::move(line));
  if (!sending_) {
    sending_ = true;
    sender_.spawn(send_queued());
  }
  return {};
}

asio::awaitable<std::error_code> WriteQueue::room() {
  while (full()) co_await room_.wait();
  co_return failure_;
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
    room_.notify_all();
  }
  sending_ = false;  // before any other coroutine runs: the next write() sees an empty queue
}

asio::awaitable<void> WriteQueue::flush() { co_await sender_.wait(); }

void WriteQueue::fail(std::error_code why) {
  if (failure_) return;
  failure_ = why;
  lines_.clear();
  head_ = 0;
  queued_bytes_ = 0;
  room_.notify_all();
  if (on_failure_) on_failure_(why);
}

}  // namespace gonet
