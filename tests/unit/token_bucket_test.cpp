#include "servers/chat/token_bucket.hpp"

#include <gtest/gtest.h>

namespace gonet {
namespace {

using namespace std::chrono_literals;
using Clock = TokenBucket::Clock;

TEST(TokenBucket, PassesABurstWholeThenTheRateOnAverage) {
  const Clock::time_point start{};
  TokenBucket bucket(20, 100, start);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(bucket.take(start), 0ns) << "line " << i;
  EXPECT_EQ(bucket.take(start), 50ms) << "then one a twentieth of a second";
  EXPECT_EQ(bucket.take(start + 49ms), 1ms);
  EXPECT_EQ(bucket.take(start + 50ms), 0ns);
  // A second later, twenty more; never more than the burst however long it rests.
  int taken = 0;
  while (bucket.take(start + 1050ms) == 0ns) ++taken;
  EXPECT_EQ(taken, 20);
  taken = 0;
  while (bucket.take(start + 1h) == 0ns) ++taken;
  EXPECT_EQ(taken, 100);
}

TEST(TokenBucket, TakesAtMostTheRateOverALongRun) {
  // A client that sends a line every millisecond for a minute gets 20 a second, plus its burst.
  Clock::time_point now{};
  TokenBucket bucket(20, 100, now);
  int taken = 0;
  for (int ms = 0; ms < 60'000; ++ms, now += 1ms) taken += bucket.take(now) == 0ns;
  EXPECT_GE(taken, 100 + 20 * 60 - 1);
  EXPECT_LE(taken, 100 + 20 * 60 + 1);
}

}  // namespace
}  // namespace gonet
