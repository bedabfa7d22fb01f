#pragma once

#include <chrono>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

namespace gonet {

// A tick at every second boundary of the system time, for one waiter at a time (an event loop's
// clock, a clock wall's row): each tick costs one timer expiry.
class SecondTicker {
 public:
  explicit SecondTicker(const asio::any_io_executor& executor) : timer_(executor) {}

  // The second the system time is in, once it is not `after`: at the next boundary when called
  // within `after`, at once when a second has begun meanwhile or the system time has stepped
  // (an NTP step back shows at once, not when the time catches up again).
  asio::awaitable<std::chrono::sys_seconds> next_after(std::chrono::sys_seconds after);

  asio::any_io_executor get_executor() { return timer_.get_executor(); }

 private:
  // Steady, so that a wait lasts what the second had left, whatever the system time does meanwhile.
  asio::steady_timer timer_;
};

}  // namespace gonet
