#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gonet {

// One event of a room on the Redis bus (SPEC "chat across servers"): which node sent it, its
// place in that node's sequence, what it is, and its text. Written as tab-separated fields with
// the text last, so that the text may hold anything:
//   g1 <TAB> NODE <TAB> SEQ <TAB> KIND <TAB> TEXT
struct BusFrame {
  enum class Kind : char {
    message = 'M',    // TEXT: the line as clients get it, "NAME: text\n"
    arrived = 'A',    // TEXT: "ID NAME", a client of NODE entered
    left = 'L',       // TEXT: "ID NAME", it left
    heartbeat = 'H',  // TEXT: NODE's clients, "ID NAME" each, tab-separated, in arrival order;
                      // SEQ: its last event's
    evicted = 'E',    // TEXT: a node whose heartbeat stopped: its clients have left
  };
  std::string node;
  std::uint64_t seq = 0;
  Kind kind = Kind::message;
  std::string text;
  bool operator==(const BusFrame&) const = default;
};

std::string encode(const BusFrame& frame);

// nullopt for anything that is not a frame of this version: another version, a missing field, a
// node that is empty or holds a tab, a sequence that is not a decimal number, an unknown kind.
std::optional<BusFrame> decode(std::string_view bytes);

// A client of some node, as the frames name it: a number of its node's, and its name.
struct BusMember {
  std::uint64_t id = 0;
  std::string name;
  bool operator==(const BusMember&) const = default;
};

std::string encode(const BusMember& member);
std::optional<BusMember> decode_member(std::string_view text);
// A heartbeat's text: the members it lists (what is not a member is left out).
std::vector<BusMember> decode_members(std::string_view text);

// How the sequence of one node's frames went on: in order, after a gap of `missed` frames that
// never came, or a frame from the past (a repeat, or a node restarted under the same id).
struct SequenceCheck {
  std::uint64_t missed = 0;
  bool stale = false;
};

// The sequence numbers seen from one node. Its events are numbered 1, 2, 3...; its heartbeats
// carry the number of its last event, so a heartbeat tells of events lost before it too.
class NodeSequence {
 public:
  SequenceCheck next(std::uint64_t seq);
  SequenceCheck heartbeat(std::uint64_t seq);

 private:
  std::optional<std::uint64_t> last_;
};

}  // namespace gonet
