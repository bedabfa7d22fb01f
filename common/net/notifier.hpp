#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include "common/net/awaitable.hpp"

namespace gonet {

// Wakes every coroutine of one event loop that waits on it: a condition variable without a
// mutex, made as Asio's chat_server makes one, of a timer that never expires and is cancelled to
// notify. A waiter tests its condition again after each wake: while (!ready) co_await n.wait();
class Notifier {
 public:
  explicit Notifier(const asio::any_io_executor& executor)
      : timer_(executor, asio::steady_timer::time_point::max()) {}

  void notify_all() { timer_.cancel(); }
  asio::awaitable<void> wait() { co_await timer_.async_wait(use_nothrow); }
  asio::any_io_executor get_executor() { return timer_.get_executor(); }

 private:
  asio::steady_timer timer_;
};

}  // namespace gonet
