#include "common/second_ticker.hpp"

#include "common/awaitable.hpp"

namespace gonet {

asio::awaitable<std::chrono::sys_seconds> SecondTicker::next_after(std::chrono::sys_seconds after) {
  using namespace std::chrono;
  for (;;) {
    const auto now = system_clock::now();
    const auto second = floor<seconds>(now);
    if (second > after) co_return second;
    // Whoever finds the timer spent arms it for the next boundary; everyone else joins the wait.
    // A wall clock stepped backwards leaves the expiry far ahead: re-arm then too.
    const auto boundary = second + seconds(1);
    if (timer_.expiry() <= now || timer_.expiry() > boundary) timer_.expires_at(boundary);
    // Re-arming cancels waits on the spent expiry; they come back here and find the new second.
    // A cancelled session throws at its next co_await instead, which ends it.
    co_await timer_.async_wait(use_nothrow);
  }
}

}  // namespace gonet
