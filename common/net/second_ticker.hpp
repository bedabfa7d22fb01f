#pragma once

#include <chrono>
#include <optional>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/system_timer.hpp>

namespace gonet {

// A tick at every second boundary of the system time for all the coroutines of one event loop, with
// a single timer however many wait: each tick costs one timer expiry, not one per client.
class SecondTicker {
 public:
  explicit SecondTicker(const asio::any_io_executor& executor) : timer_(executor) {}

  // Completes when the system time has passed `after`, at the boundary, with the new second; or
  // with nullopt when `stop` is emitted first.
  asio::awaitable<std::optional<std::chrono::sys_seconds>> next_after(
      std::chrono::sys_seconds after, asio::cancellation_slot stop = {});

  asio::any_io_executor get_executor() { return timer_.get_executor(); }

 private:
  asio::system_timer timer_;
};

}  // namespace gonet
