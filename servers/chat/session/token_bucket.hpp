#pragma once

#include <algorithm>
#include <chrono>

namespace gonet {

// A client's lines taken at most `rate` a second on average, in bursts of up to `burst` at once:
// a token bucket, full to begin with, so that a pasted screenful passes whole. Kept as the time
// the bucket will be full again (the generic cell rate algorithm), in whole nanoseconds.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(unsigned rate, unsigned burst, Clock::time_point now)
      : interval_(std::chrono::nanoseconds(std::chrono::seconds(1)) / std::max(rate, 1u)),
        depth_(interval_ * std::max(burst, 1u)),
        full_at_(now) {}

  // Takes a token and returns zero if there is one; else returns how long until there is.
  std::chrono::nanoseconds take(Clock::time_point now) {
    const Clock::time_point from = std::max(full_at_, now);
    if (from + interval_ - now > depth_) return from + interval_ - depth_ - now;
    full_at_ = from + interval_;
    return std::chrono::nanoseconds::zero();
  }

  // Whether it is full at `now`: as it was made, so that forgetting it loses nothing.
  bool full(Clock::time_point now) const { return full_at_ <= now; }

 private:
  std::chrono::nanoseconds interval_;
  std::chrono::nanoseconds depth_;
  Clock::time_point full_at_;
};

}  // namespace gonet
