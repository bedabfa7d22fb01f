#include "common/net/second_ticker.hpp"

#include "common/net/awaitable.hpp"

namespace gonet {

asio::awaitable<std::chrono::sys_seconds> SecondTicker::next_after(std::chrono::sys_seconds after) {
  using namespace std::chrono;
  for (;;) {
    const auto now = system_clock::now();
    const auto second = floor<seconds>(now);
    if (second != after) co_return second;
    // The steady clock may run a hair apart from the system clock: a wake just short of the
    // boundary finds the same second and waits out the rest.
    timer_.expires_after(second + seconds(1) - now);
    co_await timer_.async_wait(use_nothrow);
  }
}

}  // namespace gonet
