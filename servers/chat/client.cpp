#include "servers/chat/client.hpp"

#include <utility>

#include <fmt/format.h>

#include "common/net/log.hpp"

namespace gonet {

Client::Client(const asio::any_io_executor& executor, std::string address, std::size_t max_messages,
               std::size_t max_bytes)
    : address_(std::move(address)), queue_(max_messages, max_bytes), changed_(executor) {}

bool Client::send_straight(const Message& message) {
  if (socket_ == nullptr || !queue_.idle() || !queue_.accepting()) return false;
  // No write in flight, nothing before it: the socket may take the message at once. What it does
  // not take (or an error, which the writer meets again and reports) goes to the writer.
  std::error_code ec;
  const std::size_t sent = socket_->write_some(asio::buffer(*message), ec);
  if (!ec && sent == message->size()) return true;
  queue_.push_rest(message, ec ? 0 : sent);
  changed_.notify_all();
  return true;
}

void Client::deliver(const Message& message) {
  if (!queue_.accepting()) return;
  if (send_straight(message)) {
    skipping_ = false;
    return;
  }
  // The writer waits only on an idle queue; on any other, it is busy and will see the message.
  const bool wake = queue_.idle();
  const bool skipped = !queue_.push(message);
  if (skipped && !skipping_) {
    // One per event loop: any client can provoke it at will, by not reading.
    thread_local RateLimitedWarning too_slow;
    too_slow.warn(fmt::format("{}: too slow to take its messages; skipping some for it", address_));
  }
  skipping_ = skipped;
  if (wake) changed_.notify_all();
}

void Client::deliver_always(Message message) {
  if (send_straight(message)) return;
  const bool wake = queue_.idle();
  queue_.push_always(std::move(message));
  if (wake) changed_.notify_all();
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
