// The frames a room's nodes exchange on Redis (servers/chat/bus_frame): round trips, what is not
// a frame, the members a heartbeat lists, and gaps in a node's sequence.
#include "servers/chat/bus_frame.hpp"

#include <gtest/gtest.h>

namespace gonet {
namespace {

using Kind = BusFrame::Kind;

TEST(BusFrame, RoundTripsEveryKindAndAnyText) {
  for (const BusFrame& frame : {
           BusFrame{"0123456789abcdef", 1, Kind::message, "127.0.0.1:5000: hi\n"},
           BusFrame{"n", 18446744073709551615ull, Kind::arrived, "7 alice"},
           BusFrame{"n", 2, Kind::left, "7 alice"},
           BusFrame{"n", 3, Kind::heartbeat, ""},
           BusFrame{"n", 4, Kind::heartbeat, "1 a\t2 b"},
           BusFrame{"n", 5, Kind::evicted, "fedcba9876543210"},
           BusFrame{"n", 6, Kind::message, std::string("tabs\tand\nnewlines\0 and NUL", 27)},
       }) {
    const auto bytes = encode(frame);
    EXPECT_EQ(decode(bytes), frame) << bytes;
  }
  EXPECT_EQ(encode(BusFrame{"ab", 12, Kind::message, "x: y\n"}), "g1\tab\t12\tM\tx: y\n");
}

TEST(BusFrame, RefusesWhatIsNotAFrameOfThisVersion) {
  for (const std::string bytes : {
           "", "g1",
           "g1\tn\t1\tM",                        // no text field at all
           "g2\tn\t1\tM\tx",                     // another version
           "g1\t\t1\tM\tx",                      // no node
           "g1\tn\t\tM\tx",                      // no sequence
           "g1\tn\t-1\tM\tx",                    // not a decimal number
           "g1\tn\t1x\tM\tx",                    //
           "g1\tn\t99999999999999999999\tM\tx",  // past 64 bits
           "g1\tn\t1\tQ\tx",                     // unknown kind
           "g1\tn\t1\tMM\tx",                    //
       }) {
    EXPECT_EQ(decode(bytes), std::nullopt) << bytes;
  }
  // Every truncation of a frame is refused or is a frame with less text; none crashes.
  const std::string whole = encode(BusFrame{"node", 42, Kind::arrived, "3 bob"});
  for (std::size_t n = 0; n < whole.size(); ++n) {
    const auto frame = decode(whole.substr(0, n));
    if (frame) {
      EXPECT_TRUE(std::string("3 bob").starts_with(frame->text)) << n;
    }
  }
}

TEST(BusFrame, MembersAreAnIdAndAName) {
  EXPECT_EQ(decode_member("7 alice"), (BusMember{7, "alice"}));
  EXPECT_EQ(decode_member("12 127.0.0.1:5000"), (BusMember{12, "127.0.0.1:5000"}));
  for (const char* text : {"", "7", "7 ", " alice", "x alice", "-1 a"}) {
    EXPECT_EQ(decode_member(text), std::nullopt) << text;
  }
  EXPECT_EQ(encode(BusMember{3, "[::1]:80"}), "3 [::1]:80");
}

TEST(BusFrame, AHeartbeatListsItsMembersInOrderAndSkipsWhatIsNotOne) {
  EXPECT_EQ(decode_members("1 a\t2 b\tjunk\t3 c"),
            (std::vector<BusMember>{{1, "a"}, {2, "b"}, {3, "c"}}));
  EXPECT_TRUE(decode_members("").empty());
}

TEST(BusFrame, ASequenceTellsGapsAndStaleFrames) {
  NodeSequence sequence;
  EXPECT_EQ(sequence.next(5).missed, 0u);  // the first frame heard sets the start
  EXPECT_EQ(sequence.next(6).missed, 0u);
  const auto gap = sequence.next(10);
  EXPECT_EQ(gap.missed, 3u);
  EXPECT_FALSE(gap.stale);
  EXPECT_TRUE(sequence.next(10).stale);
  EXPECT_TRUE(sequence.next(2).stale);
  EXPECT_EQ(sequence.next(11).missed, 0u);
}

TEST(BusFrame, AHeartbeatCarriesTheLastEventsNumberAndTellsOfEventsLostBeforeIt) {
  NodeSequence sequence;
  EXPECT_EQ(sequence.heartbeat(0).missed, 0u);  // a node with no events yet
  EXPECT_EQ(sequence.next(1).missed, 0u);
  EXPECT_EQ(sequence.heartbeat(1).missed, 0u);  // again and again, no news
  EXPECT_FALSE(sequence.heartbeat(1).stale);
  EXPECT_EQ(sequence.heartbeat(4).missed, 3u);  // events 2, 3 and 4 never came
  EXPECT_TRUE(sequence.heartbeat(3).stale);     // an old heartbeat
  EXPECT_TRUE(sequence.next(4).stale);          // event 4, too late: it was counted lost
  EXPECT_EQ(sequence.next(5).missed, 0u);
}

}  // namespace
}  // namespace gonet
