// The frames a room's nodes exchange on Redis (servers/chat/bus_frame, room_keys): signing and
// checking, key rotation, each bound of the frame check, the members a heartbeat lists, and the
// numbers that make a replay known for one.
#include "servers/chat/bus/bus_frame.hpp"

#include <limits>

#include <gtest/gtest.h>

#include "servers/chat/room/names.hpp"

namespace gonet {
namespace {

using Kind = BusFrame::Kind;

const std::string kKey(32, 'k');
const std::string kOtherKey(40, 'o');
const std::string kChannel = "gonet:chat:chat";

FrameRules rules(std::size_t max_line = 65536) { return FrameRules{max_line, is_member_name}; }

BusFrame frame(Kind kind, std::string text, std::uint64_t seq = 1, std::uint64_t event = 1) {
  return BusFrame{"0123456789abcdef", seq, event, 1'700'000'000'000, kind, std::move(text)};
}

// What a frame of `kind` with `text` checks to, sealed and unsealed on the way.
Checked sealed_and_checked(Kind kind, const std::string& text, const FrameRules& with = rules()) {
  const RoomKeys keys({kKey});
  const auto unsealed = unseal(seal(frame(kind, text), keys, kChannel), keys, kChannel);
  EXPECT_TRUE(unsealed.frame) << describe(unsealed.fault);
  if (!unsealed.frame) return {};
  return check(*unsealed.frame, with);
}

TEST(BusFrame, ASealedFrameUnsealsToItselfWithEveryKindAndAnyText) {
  const RoomKeys keys({kKey});
  for (const BusFrame& each : {
           frame(Kind::message, "7\thi"),
           frame(Kind::message, std::string("7\ttabs\tand\r NUL\0", 16)),
           frame(Kind::arrived, "7\talice"),
           frame(Kind::left, "7"),
           frame(Kind::heartbeat, "0\t18446744073709551615"),
           frame(Kind::evicted, "fedcba9876543210"),
           BusFrame{"n.o-d_e:1", std::numeric_limits<std::uint64_t>::max(), 0, 0, Kind::left, "1"},
       }) {
    const std::string bytes = seal(each, keys, kChannel);
    EXPECT_TRUE(bytes.starts_with("g2\t")) << bytes;
    const auto unsealed = unseal(bytes, keys, kChannel);
    EXPECT_EQ(unsealed.fault, FrameFault::none) << bytes;
    EXPECT_EQ(unsealed.frame, each) << bytes;
  }
}

TEST(BusFrame, AFrameNotSignedByTheRoomsKeyIsRefused) {
  const RoomKeys keys({kKey}), other({kOtherKey});
  const std::string bytes = seal(frame(Kind::message, "7\thi"), keys, kChannel);
  EXPECT_EQ(unseal(bytes, other, kChannel).fault, FrameFault::bad_signature);
  EXPECT_EQ(unseal(bytes, keys, "gonet:chat:other").fault, FrameFault::bad_signature)
      << "a frame of one room is nothing in another";
  // Any byte changed breaks the signature, or the frame's shape.
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    std::string changed = bytes;
    changed[at] = static_cast<char>(changed[at] ^ 0x01);
    EXPECT_NE(unseal(changed, keys, kChannel).fault, FrameFault::none) << at;
  }
  for (const std::string& unsigned_frame : {
           std::string(""), std::string("g1\tx\t1\tM\t"),  // the version before signatures
           "g2\t" + std::string(64, '0') + "\tn\t1\t1\t1\tM\t1\thi",
           "g2\t" + std::string(63, '0') + "\tn\t1\t1\t1\tM\t1\thi",
           "g2\t" + std::string(64, 'A') + "\tn\t1\t1\t1\tM\t1\thi",  // upper-case hex
       }) {
    const auto fault = unseal(unsigned_frame, keys, kChannel).fault;
    EXPECT_TRUE(fault == FrameFault::not_signed || fault == FrameFault::bad_signature)
        << unsigned_frame;
  }
}

// Rotation: nodes take frames signed by either key, and sign with the first.
TEST(BusFrame, TwoKeysLetTheKeyChangeWithoutDowntime) {
  const RoomKeys old_only({kKey}), both({kOtherKey, kKey}), new_only({kOtherKey});
  const BusFrame said = frame(Kind::message, "1\thi");
  EXPECT_TRUE(unseal(seal(said, old_only, kChannel), both, kChannel).frame);
  EXPECT_TRUE(unseal(seal(said, both, kChannel), both, kChannel).frame);
  EXPECT_TRUE(unseal(seal(said, both, kChannel), new_only, kChannel).frame);
  EXPECT_FALSE(unseal(seal(said, old_only, kChannel), new_only, kChannel).frame);
  EXPECT_THROW(RoomKeys({std::string(31, 'x')}), std::invalid_argument);
  EXPECT_THROW(RoomKeys({kKey, kKey, kKey}), std::invalid_argument);
  EXPECT_THROW(RoomKeys(std::vector<std::string>{}), std::invalid_argument);
}

TEST(BusFrame, AFrameIsAtMostOneMebibyte) {
  const RoomKeys keys({kKey});
  std::string text = "1\t";
  const std::string sealed_empty = seal(frame(Kind::message, text), keys, kChannel);
  text += std::string(kMaxFrameBytes - sealed_empty.size(), 'x');
  const std::string largest = seal(frame(Kind::message, text), keys, kChannel);
  ASSERT_EQ(largest.size(), kMaxFrameBytes);
  EXPECT_TRUE(unseal(largest, keys, kChannel).frame);
  const std::string over = seal(frame(Kind::message, text + "x"), keys, kChannel);
  EXPECT_EQ(unseal(over, keys, kChannel).fault, FrameFault::too_big);
}

TEST(BusFrame, FieldsAreCheckedBehindTheSignature) {
  const RoomKeys keys({kKey});
  const auto fault_of = [&](const BusFrame& each) {
    return unseal(seal(each, keys, kChannel), keys, kChannel).fault;
  };
  EXPECT_EQ(fault_of(BusFrame{"", 1, 1, 1, Kind::left, "1"}), FrameFault::malformed);
  EXPECT_EQ(fault_of(BusFrame{std::string(64, 'n'), 1, 1, 1, Kind::left, "1"}), FrameFault::none);
  EXPECT_EQ(fault_of(BusFrame{std::string(65, 'n'), 1, 1, 1, Kind::left, "1"}),
            FrameFault::malformed);
  EXPECT_EQ(fault_of(BusFrame{"\x1b[31mred", 1, 1, 1, Kind::left, "1"}), FrameFault::malformed);
  EXPECT_EQ(fault_of(BusFrame{"n", 0, 1, 1, Kind::left, "1"}), FrameFault::malformed)
      << "frames are numbered from 1";
}

TEST(BusFrame, AMessageIsOneLineWithinMaxLine) {
  EXPECT_EQ(sealed_and_checked(Kind::message, "7\thi\tthere").event,
            (BusEvent{BusEvent::Said{7, "hi\tthere"}}));
  EXPECT_EQ(sealed_and_checked(Kind::message, "7\t").event, (BusEvent{BusEvent::Said{7, ""}}))
      << "an empty line is a line ('NAME: ')";
  EXPECT_EQ(sealed_and_checked(Kind::message, "7\ta\nb").fault, FrameFault::bad_text);
  EXPECT_EQ(sealed_and_checked(Kind::message, "7\t" + std::string(11, 'x'), rules(10)).fault,
            FrameFault::bad_text);
  EXPECT_TRUE(sealed_and_checked(Kind::message, "7\t" + std::string(10, 'x'), rules(10)).event);
  // Escapes pass the check: they are made safe where they are delivered.
  EXPECT_TRUE(sealed_and_checked(Kind::message, "7\t\x1b]0;owned\a\u202e").event);
  for (const char* bad : {"", "7", "0\thi", "x\thi", "07\thi", "-1\thi"}) {
    EXPECT_EQ(sealed_and_checked(Kind::message, bad).fault, FrameFault::malformed) << bad;
  }
}

TEST(BusFrame, AnArrivalsNameIsOneNamesAdmitsOrAnAddress) {
  for (const char* name : {"alice", "José", "山田", "127.0.0.1:5000", "[::1]:80", "a.b-c_d"}) {
    EXPECT_EQ(sealed_and_checked(Kind::arrived, std::string("3\t") + name).event,
              (BusEvent{BusEvent::Arrived{BusMember{3, name}}}))
        << name;
  }
  for (const std::string& name : {
           std::string(""), std::string("\x1b[31mREDNAME"), std::string("a b"),
           std::string("аlice"),  // Latin and Cyrillic
           std::string(33, 'a'), std::string(1000 * 1000, 'a'), std::string("alice\u202e"),
           std::string("1.2.3.4:0"), std::string("1.2.3.4:99999"), std::string("01.2.3.4:5"),
           std::string("[::ffff:1.2.3.4]:5"),  // Go names such a client 1.2.3.4:5
       }) {
    EXPECT_EQ(sealed_and_checked(Kind::arrived, "3\t" + name).fault, FrameFault::bad_name)
        << name.substr(0, 40);
  }
}

TEST(BusFrame, AHeartbeatListsItsNodesClientsInOrderWithinItsRange) {
  EXPECT_EQ(sealed_and_checked(Kind::heartbeat, "5\t9\t5\ta\t7\tb").event,
            (BusEvent{BusEvent::Roll{5, 9, {{5, "a"}, {7, "b"}}}}));
  EXPECT_EQ(sealed_and_checked(Kind::heartbeat, "0\t0").event,
            (BusEvent{BusEvent::Roll{0, 0, {}}}));
  EXPECT_EQ(sealed_and_checked(Kind::heartbeat, "5\t9\t7\ta\t5\tb").fault, FrameFault::bad_list);
  EXPECT_EQ(sealed_and_checked(Kind::heartbeat, "5\t9\t7\ta\t7\tb").fault, FrameFault::bad_list);
  EXPECT_EQ(sealed_and_checked(Kind::heartbeat, "5\t9\t4\ta").fault, FrameFault::bad_list);
  EXPECT_EQ(sealed_and_checked(Kind::heartbeat, "5\t9\t10\ta").fault, FrameFault::bad_list);
  EXPECT_EQ(sealed_and_checked(Kind::heartbeat, "5\t9\t6\t\x1b").fault, FrameFault::bad_name);
  for (const char* bad : {"", "5", "9\t5", "5\t9\t6", "5\t9\tx\ta"}) {
    EXPECT_EQ(sealed_and_checked(Kind::heartbeat, bad).fault, FrameFault::malformed) << bad;
  }
}

TEST(BusFrame, ALongListIsSplitIntoPartsThatFitAndCoverEveryId) {
  std::vector<BusMember> members;
  for (std::uint64_t id = 1; id <= 100'000; id += 3) {
    members.push_back(BusMember{id, "member" + std::to_string(id)});
  }
  const auto texts = roll_texts(members, 64 * 1024);
  EXPECT_GT(texts.size(), 8u);
  std::vector<BusMember> listed;
  std::uint64_t next = 0;
  for (const auto& text : texts) {
    EXPECT_LE(text.size(), 64u * 1024);
    const auto checked = sealed_and_checked(Kind::heartbeat, text);
    ASSERT_TRUE(checked.event) << describe(checked.fault);
    const auto& roll = std::get<BusEvent::Roll>(checked.event->what);
    EXPECT_EQ(roll.first, next) << "the parts' ranges follow one another";
    next = roll.last + 1;
    listed.insert(listed.end(), roll.members.begin(), roll.members.end());
  }
  EXPECT_EQ(next, 0u) << "the last part ends at 2^64-1";
  EXPECT_EQ(listed, members);
  EXPECT_EQ(roll_texts({}, 1000), (std::vector<std::string>{"0\t18446744073709551615"}));
}

TEST(BusFrame, AnEvictionNamesANode) {
  EXPECT_EQ(sealed_and_checked(Kind::evicted, "fedcba9876543210").event,
            (BusEvent{BusEvent::Evicted{"fedcba9876543210"}}));
  EXPECT_EQ(sealed_and_checked(Kind::evicted, "").fault, FrameFault::malformed);
  EXPECT_EQ(sealed_and_checked(Kind::evicted, std::string(256 * 1024, 'n')).fault,
            FrameFault::malformed);
}

// Replays: a frame number once taken is never taken again, nor one before it.
TEST(BusFrame, AFrameNumberIsTakenOnceAndInOrder) {
  NodeSequence sequence;
  EXPECT_FALSE(sequence.take(frame(Kind::message, "1\ta", 5, 3)).stale);
  EXPECT_TRUE(sequence.taken(5));
  EXPECT_TRUE(sequence.take(frame(Kind::message, "1\ta", 5, 3)).stale) << "the same frame again";
  EXPECT_TRUE(sequence.take(frame(Kind::message, "1\ta", 4, 3)).stale) << "an older one";
  EXPECT_FALSE(sequence.taken(6));
  const auto next = sequence.take(frame(Kind::heartbeat, "0\t0", 6, 3));
  EXPECT_FALSE(next.stale);
  EXPECT_EQ(next.missed, 0u);
  EXPECT_TRUE(sequence.take(frame(Kind::heartbeat, "0\t0", 6, 3)).stale)
      << "a heartbeat replayed, which would keep a dead node alive";
  EXPECT_TRUE(sequence.take(frame(Kind::message, "1\ta", 99, 3)).stale)
      << "an event that does not count on from the last";
  const auto most = std::numeric_limits<std::uint64_t>::max();
  EXPECT_TRUE(sequence.take(frame(Kind::heartbeat, "0\t0", most, most)).stale)
      << "a leap no node makes, after which every frame of the node would look old";
  EXPECT_TRUE(
      sequence.take(frame(Kind::heartbeat, "0\t0", 7, 3 + NodeSequence::kMaxLeap + 1)).stale);
  EXPECT_FALSE(sequence.take(frame(Kind::heartbeat, "0\t0", 7, 3 + NodeSequence::kMaxLeap)).stale);
}

TEST(BusFrame, EventNumbersTellOfEventsLostAndHeartbeatsAreNoNews) {
  NodeSequence sequence;
  EXPECT_EQ(sequence.take(frame(Kind::heartbeat, "0\t0", 1, 0)).missed, 0u);
  EXPECT_EQ(sequence.take(frame(Kind::message, "1\ta", 2, 1)).missed, 0u);
  EXPECT_EQ(sequence.take(frame(Kind::heartbeat, "0\t0", 4, 1)).missed, 0u)
      << "frame 3, a heartbeat, was lost: no news";
  EXPECT_EQ(sequence.take(frame(Kind::heartbeat, "0\t0", 5, 4)).missed, 3u)
      << "events 2, 3 and 4 never came";
  EXPECT_EQ(sequence.take(frame(Kind::message, "1\ta", 6, 5)).missed, 0u);
  EXPECT_EQ(sequence.take(frame(Kind::message, "1\ta", 7, 9)).missed, 3u);
}

}  // namespace
}  // namespace gonet
