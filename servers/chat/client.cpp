#include "servers/chat/client.hpp"

#include <utility>

#include <fmt/format.h>

#include "common/net/log.hpp"

namespace gonet {

Client::Client(const asio::any_io_executor& executor, std::string address, std::size_t max_messages,
               std::size_t max_bytes)
    : address_(std::move(address)), queue_(max_messages, max_bytes), changed_(executor) {}

void Client::deliver(const Message& message) {
  if (!queue_.accepting()) return;
  const bool skipped = !queue_.push(message);
  if (skipped && !skipping_) {
    // One per event loop: any client can provoke it at will, by not reading.
    thread_local RateLimitedWarning too_slow;
    too_slow.warn(fmt::format("{}: too slow to take its messages; skipping some for it", address_));
  }
  skipping_ = skipped;
  // A skip needs no wake: the queue is full, so its writer is busy.
  if (!skipped) changed_.notify_all();
}

void Client::deliver_always(Message message) {
  queue_.push_always(std::move(message));
  changed_.notify_all();
}

void Client::close() {
  queue_.close();
  changed_.notify_all();
}

void Client::answer(bool admitted) {
  answer_ = admitted;
  changed_.notify_all();
}

asio::awaitable<bool> Client::admitted() {
  while (!answer_) co_await changed_.wait();
  co_return *std::exchange(answer_, std::nullopt);
}

}  // namespace gonet
