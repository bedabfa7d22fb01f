// $GONET_CHAT_BUS_TIMINGS (servers/chat/bus/bus_timings): the shorter timings a node may be given,
// and the one-line refusals of anything else. That a node keeps them is the ChatCluster tests'.
#include "servers/chat/bus/bus_timings.hpp"

#include <string>

#include <gtest/gtest.h>

#include "common/net/failure.hpp"

namespace gonet {
namespace {

using std::chrono::milliseconds;

std::string refusal(std::string_view text) {
  try {
    parse_bus_timings(text);
  } catch (const Failure& failure) {
    return failure.what();
  }
  return "(taken)";
}

TEST(BusTimings, NothingGivenKeepsEveryDefault) {
  const BusTimings defaults;
  const BusTimings parsed = parse_bus_timings("");
  EXPECT_EQ(parsed.beat, defaults.beat);
  EXPECT_EQ(parsed.silent_after, defaults.silent_after);
  EXPECT_EQ(parsed.dead_after, defaults.dead_after);
  EXPECT_EQ(parsed.rejoin_grace, defaults.rejoin_grace);
  EXPECT_EQ(parsed.first_retry, defaults.first_retry);
  EXPECT_EQ(parsed.last_retry, defaults.last_retry);
}

TEST(BusTimings, EachNamedTimingIsTakenAndTheRestKeepTheirDefaults) {
  const BusTimings parsed = parse_bus_timings(
      "beat=100ms,silent_after=0.5s,dead_after=800ms,rejoin_grace=300ms,first_retry=10ms,"
      "last_retry=50ms");
  EXPECT_EQ(parsed.beat, milliseconds(100));
  EXPECT_EQ(parsed.silent_after, milliseconds(500));
  EXPECT_EQ(parsed.dead_after, milliseconds(800));
  EXPECT_EQ(parsed.rejoin_grace, milliseconds(300));
  EXPECT_EQ(parsed.first_retry, milliseconds(10));
  EXPECT_EQ(parsed.last_retry, milliseconds(50));
  const BusTimings one = parse_bus_timings("dead_after=2s");
  EXPECT_EQ(one.dead_after, milliseconds(2000));
  EXPECT_EQ(one.beat, BusTimings{}.beat);
}

TEST(BusTimings, ADefaultItselfIsTaken) {
  EXPECT_EQ(parse_bus_timings("dead_after=8s").dead_after, milliseconds(8000));
}

TEST(BusTimings, LongerThanTheDefaultIsRefusedInOneLine) {
  EXPECT_EQ(refusal("beat=2s"),
            "$GONET_CHAT_BUS_TIMINGS: beat=2s: longer than its default 1s (it may only shorten)");
  EXPECT_EQ(refusal("dead_after=8001ms"),
            "$GONET_CHAT_BUS_TIMINGS: dead_after=8001ms: longer than its default 8s (it may only "
            "shorten)");
}

TEST(BusTimings, ShorterThanTenMillisecondsOrNegativeIsRefused) {
  EXPECT_EQ(refusal("beat=9ms"), "$GONET_CHAT_BUS_TIMINGS: beat=9ms: shorter than 10ms");
  EXPECT_EQ(refusal("beat=0"), "$GONET_CHAT_BUS_TIMINGS: beat=0: shorter than 10ms");
  EXPECT_EQ(refusal("beat=-1s"), "$GONET_CHAT_BUS_TIMINGS: beat=-1s: shorter than 10ms");
}

TEST(BusTimings, AnythingElseIsRefusedNamingWhatIsWrong) {
  EXPECT_EQ(refusal("heartbeat=1s"),
            "$GONET_CHAT_BUS_TIMINGS: heartbeat=1s: no such timing (beat, silent_after, "
            "dead_after, rejoin_grace, first_retry, last_retry)");
  EXPECT_EQ(refusal("beat"), "$GONET_CHAT_BUS_TIMINGS: beat: want NAME=DURATION, comma-separated");
  EXPECT_EQ(refusal("beat=100ms,,dead_after=1s"),
            "$GONET_CHAT_BUS_TIMINGS: an empty item: want NAME=DURATION, comma-separated");
  EXPECT_EQ(refusal("beat=soon"),
            "$GONET_CHAT_BUS_TIMINGS: beat=soon: want a duration such as 200ms or 1.5s");
  EXPECT_EQ(refusal("beat=100ms,beat=200ms"), "$GONET_CHAT_BUS_TIMINGS: beat=200ms: given twice");
  EXPECT_EQ(refusal("first_retry=200ms,last_retry=100ms"),
            "$GONET_CHAT_BUS_TIMINGS: first_retry=200ms: longer than last_retry=100ms");
}

// Each shorter on its own, but not as the defaults fit together: the node would flap.
TEST(BusTimings, TimingsThatDoNotFitTogetherAreRefused) {
  EXPECT_EQ(refusal("silent_after=1500ms"),
            "$GONET_CHAT_BUS_TIMINGS: silent_after=1.5s: shorter than twice beat=1s (its own "
            "heartbeat would seem lost between two)");
  EXPECT_EQ(refusal("dead_after=1s"),
            "$GONET_CHAT_BUS_TIMINGS: dead_after=1s: shorter than twice beat=1s (every node would "
            "seem dead between two heartbeats)");
  EXPECT_EQ(refusal("rejoin_grace=2s"),
            "$GONET_CHAT_BUS_TIMINGS: rejoin_grace=2s: not longer than beat=1s and last_retry=1s "
            "together (a live node back after Redis would be evicted)");
  EXPECT_EQ(parse_bus_timings("beat=500ms,dead_after=1s").dead_after, milliseconds(1000))
      << "twice the beat is enough";
}

}  // namespace
}  // namespace gonet
