#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/system_timer.hpp>
#include <chrono>

namespace gonet {

// A tick at every wall-clock second boundary for all the coroutines of one event loop, with a
// single timer however many wait: each tick costs one timer expiry, not one per client.
class SecondTicker {
 public:
  explicit SecondTicker(const asio::any_io_executor& executor) : timer_(executor) {}

  // Completes when the wall clock has passed `after`, at the boundary; returns the new second.
  asio::awaitable<std::chrono::sys_seconds> next_after(std::chrono::sys_seconds after);

 private:
  asio::system_timer timer_;
};

}  // namespace gonet
