#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>

namespace gonet {

// -max-accept-rate: at most `per_second` new connections a second, in bursts of as many; the
// rest wait in the kernel's listen queue, as behind HAProxy's `rate-limit sessions`. One token
// bucket for all of a server's event loops, so that -threads does not multiply it.
class AcceptRate {
 public:
  using Clock = std::chrono::steady_clock;

  // Full at `now`: a burst of `per_second` may come at once.
  explicit AcceptRate(std::size_t per_second, Clock::time_point now = Clock::now());

  // How long from `now` until a connection may be taken: zero when one may be taken now.
  Clock::duration wait(Clock::time_point now);
  // One was taken. Loops that saw the same token take it each: the bucket owes the surplus.
  void take(Clock::time_point now);

 private:
  void refill(Clock::time_point now);

  std::mutex mutex_;  // for what follows: the loops share it, a connection at a time
  double per_second_;
  double tokens_;
  Clock::time_point filled_;  // when tokens_ was last brought up to date
};

}  // namespace gonet
