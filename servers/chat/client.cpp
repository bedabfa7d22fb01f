#include "servers/chat/client.hpp"

#include <fmt/format.h>

#include "common/net/awaitable.hpp"
#include "common/net/log.hpp"

namespace gonet {

Client::Client(const asio::any_io_executor& executor, std::string address, std::size_t max_messages,
               std::size_t max_bytes)
    : address_(std::move(address)),
      queue_(max_messages, max_bytes),
      news_(executor, 1),
      answer_(executor, 1) {}

void Client::deliver(const Message& message) {
  if (!queue_.accepting()) return;
  const bool skipped = !queue_.push(message);
  if (skipped && !skipping_) {
    // One per event loop: any client can provoke it at will, by not reading.
    thread_local RateLimitedWarning too_slow;
    too_slow.warn(fmt::format("{}: too slow to take its messages; skipping some for it", address_));
  }
  skipping_ = skipped;
  news_.try_send(std::error_code{}, true);
}

void Client::deliver_always(Message message) {
  queue_.push_always(std::move(message));
  news_.try_send(std::error_code{}, true);
}

void Client::close() {
  queue_.close();
  news_.try_send(std::error_code{}, true);
}

void Client::answer(bool admitted) { answer_.try_send(std::error_code{}, admitted); }

asio::awaitable<bool> Client::admitted() {
  auto [ec, admitted] = co_await answer_.async_receive(use_nothrow);
  co_return !ec && admitted;
}

asio::awaitable<void> Client::wait_for_news() { co_await news_.async_receive(use_nothrow); }

}  // namespace gonet
