#include "common/net/accept_rate.hpp"

#include <algorithm>

namespace gonet {

AcceptRate::AcceptRate(std::size_t per_second, Clock::time_point now)
    : per_second_(static_cast<double>(per_second)), tokens_(per_second_), filled_(now) {}

void AcceptRate::refill(Clock::time_point now) {
  if (now <= filled_) return;
  const std::chrono::duration<double> elapsed = now - filled_;
  tokens_ = std::min(per_second_, tokens_ + elapsed.count() * per_second_);
  filled_ = now;
}

AcceptRate::Clock::duration AcceptRate::wait(Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  refill(now);
  if (tokens_ >= 1) return Clock::duration::zero();
  // Rounded up: woken a moment early, a loop would find no token and wait again.
  const std::chrono::duration<double> short_of((1 - tokens_) / per_second_);
  return std::chrono::ceil<Clock::duration>(short_of) + Clock::duration(1);
}

void AcceptRate::take(Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  refill(now);
  tokens_ -= 1;
}

}  // namespace gonet
