#include "servers/chat/session/token_bucket.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "servers/chat/session/address_buckets.hpp"

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

asio::ip::address ip(const std::string& text) { return asio::ip::make_address(text); }

TEST(AddressBuckets, ConnectionsFromOneAddressDrawOnOneBucket) {
  AddressBuckets buckets(10, 5);
  const auto now = Clock::now();
  auto a = buckets.hold(ip("127.0.0.1"), now);
  auto b = buckets.hold(ip("127.0.0.1"), now);
  for (int i = 0; i < 5; ++i) EXPECT_EQ((i % 2 == 0 ? a : b).take(now), 0ns) << "line " << i;
  EXPECT_EQ(a.take(now), 100ms) << "five between them, not five each";
  EXPECT_EQ(b.take(now), 100ms);
  auto other = buckets.hold(ip("127.0.0.2"), now);
  EXPECT_EQ(other.take(now), 0ns) << "another address has a bucket of its own";
  auto v6 = buckets.hold(ip("::1"), now);
  EXPECT_EQ(v6.take(now), 0ns);
}

TEST(AddressBuckets, AConnectionSoonAfterTheLastFindsWhatThatOneLeft) {
  AddressBuckets buckets(10, 5);
  const auto now = Clock::now();
  {
    auto first = buckets.hold(ip("127.0.0.1"), now);
    for (int i = 0; i < 5; ++i) ASSERT_EQ(first.take(now), 0ns);
  }
  auto again = buckets.hold(ip("127.0.0.1"), now);
  EXPECT_EQ(again.take(now), 100ms) << "connecting again filled nothing";
  EXPECT_EQ(again.take(now + 100ms), 0ns) << "the rate still refills it";
}

TEST(AddressBuckets, ForgetsABucketOnlyOnceNobodyHoldsItAndItIsFull) {
  AddressBuckets buckets(10, 5);  // full again half a second after its last line
  const auto now = Clock::now();
  auto held = buckets.hold(ip("10.0.0.1"), now);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(held.take(now), 0ns);
  {
    auto left = buckets.hold(ip("10.0.0.2"), now);
    for (int i = 0; i < 5; ++i) ASSERT_EQ(left.take(now), 0ns);
  }
  // 2,000 addresses that came and went without a line (full buckets), then one more a little
  // later: the map is past its mark, and is swept.
  for (int i = 0; i < 2000; ++i) {
    (void)buckets.hold(ip("10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256)), now);
  }
  (void)buckets.hold(ip("10.2.0.1"), now + 100ms);
  EXPECT_LE(buckets.size(), 1024u) << "the full ones nobody holds are forgotten";
  auto again = buckets.hold(ip("10.0.0.2"), now + 100ms);
  EXPECT_EQ(again.take(now + 100ms), 0ns) << "one token back after 100 ms";
  EXPECT_EQ(again.take(now + 100ms), 100ms) << "and no more: the emptied bucket was kept";
  EXPECT_GT(held.take(now), 0ns) << "a held bucket is kept, empty";
}

TEST(AddressBuckets, StaysWithinTwiceTheAddressesOfABurstsTime) {
  AddressBuckets buckets(10, 5);
  const auto start = Clock::now();
  std::size_t most = 0;
  // 100,000 addresses, 1,000 a simulated second, each sending a line: a bucket one line down is
  // full again a tenth of a second on, so about 100 are worth remembering at any time.
  for (int i = 0; i < 100000; ++i) {
    const auto now = start + std::chrono::milliseconds(i);
    const std::string address = "10." + std::to_string(i / 65536) + "." +
                                std::to_string(i / 256 % 256) + "." + std::to_string(i % 256);
    auto hold = buckets.hold(ip(address), now);
    ASSERT_EQ(hold.take(now), 0ns);
    most = std::max(most, buckets.size());
  }
  EXPECT_LE(most, 2048u);
}

TEST(AddressBuckets, WithoutALimitHoldsNothing) {
  AddressBuckets buckets(0, 0);
  auto hold = buckets.hold(ip("127.0.0.1"), Clock::now());
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(hold.take(Clock::now()), 0ns);
  EXPECT_EQ(buckets.size(), 0u);
}

}  // namespace
}  // namespace gonet
