#include "common/net/accept_rate.hpp"

#include <gtest/gtest.h>

namespace gonet {
namespace {

using namespace std::chrono_literals;
using Clock = AcceptRate::Clock;

// Takes every connection it may at `now`; how many that was.
int take_all(AcceptRate& rate, Clock::time_point now) {
  int taken = 0;
  while (rate.wait(now) == Clock::duration::zero() && taken < 1'000'000) {
    rate.take(now);
    ++taken;
  }
  return taken;
}

TEST(AcceptRate, TakesABurstOfNThenNASecond) {
  const Clock::time_point start{};
  AcceptRate rate(50, start);
  EXPECT_EQ(take_all(rate, start), 50);
  // The next one a fiftieth of a second later, not before.
  const Clock::duration wait = rate.wait(start);
  EXPECT_GE(wait, 20ms);
  EXPECT_LE(wait, 20ms + 1us);
  EXPECT_GT(rate.wait(start + 19ms), Clock::duration::zero());
  EXPECT_EQ(take_all(rate, start + wait), 1);
  // Over the next 3 s, 150 more: 200 spread over 3 s, as the e2e test sees them.
  int taken = 0;
  for (auto now = start + wait; now <= start + wait + 3s; now += 1ms) taken += take_all(rate, now);
  EXPECT_EQ(taken, 150);
}

TEST(AcceptRate, RestingFillsItToNAndNoMore) {
  const Clock::time_point start{};
  AcceptRate rate(1000, start);
  EXPECT_EQ(take_all(rate, start), 1000);
  EXPECT_EQ(take_all(rate, start + 500ms), 500);
  EXPECT_EQ(take_all(rate, start + 1h), 1000);
}

TEST(AcceptRate, LoopsThatTookTheSameTokenAreOwedForIt) {
  // Two event loops saw one token and each accepted: the next waits for both to be paid back.
  const Clock::time_point start{};
  AcceptRate rate(10, start);
  EXPECT_EQ(take_all(rate, start), 10);
  const auto later = start + 100ms;  // one token back
  ASSERT_EQ(rate.wait(later), Clock::duration::zero());
  rate.take(later);
  rate.take(later);
  const Clock::duration wait = rate.wait(later);
  EXPECT_GE(wait, 200ms);
  EXPECT_LE(wait, 200ms + 1us);
}

TEST(AcceptRate, ClockGoingBackwardsChangesNothing) {
  const Clock::time_point start{};
  AcceptRate rate(5, start + 1s);
  EXPECT_EQ(take_all(rate, start), 5);
  EXPECT_EQ(take_all(rate, start), 0);
}

}  // namespace
}  // namespace gonet
