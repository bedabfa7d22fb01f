#include "common/net/second_ticker.hpp"

#include <asio/bind_cancellation_slot.hpp>

#include "common/net/awaitable.hpp"

namespace gonet {

asio::awaitable<std::optional<std::chrono::sys_seconds>> SecondTicker::next_after(
    std::chrono::sys_seconds after, asio::cancellation_slot stop) {
  using namespace std::chrono;
  for (;;) {
    const auto now = system_clock::now();
    const auto second = floor<seconds>(now);
    if (second > after) co_return second;
    // Whoever finds the timer spent arms it for the next boundary; everyone else joins the wait.
    // A system time stepped backwards leaves the expiry far ahead: re-arm then too.
    const auto boundary = second + seconds(1);
    if (timer_.expiry() <= now || timer_.expiry() > boundary) timer_.expires_at(boundary);
    auto [ec] = co_await timer_.async_wait(asio::bind_cancellation_slot(stop, use_nothrow));
    // Re-arming cancels the waits on the spent expiry too, but those find a new second above.
    // A wait cancelled within the second it began can only have been stopped.
    if (ec == asio::error::operation_aborted && floor<seconds>(system_clock::now()) <= after) {
      co_return std::nullopt;
    }
  }
}

}  // namespace gonet
