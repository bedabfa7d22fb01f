#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "servers/chat/bus/room_keys.hpp"
#include "servers/chat/room/bus_event.hpp"

namespace gonet {

// One frame of a room on the Redis bus (SPEC "chat across servers, on a hostile bus"): which node
// sent it, its place in that node's frames and events, when, what it is, and its fields. On the
// wire, tab-separated, signed:
//   g2 <TAB> MAC <TAB> NODE <TAB> SEQ <TAB> EVENT <TAB> TIME <TAB> KIND <TAB> TEXT
// MAC is the HMAC-SHA256, in hex, of "g2 <TAB> CHANNEL <TAB>" and everything after MAC's tab, so
// a frame of one room is nothing in another. TEXT is the kind's fields, tab-separated.
struct BusFrame {
  enum class Kind : char {
    message = 'M',    // ID <TAB> TEXT: a line a client of NODE said, as it said it
    arrived = 'A',    // ID <TAB> NAME: a client of NODE entered
    left = 'L',       // ID: it left
    heartbeat = 'H',  // FIRST <TAB> LAST (<TAB> ID <TAB> NAME)...: NODE's clients whose ids lie
                      // in [FIRST, LAST], in arrival order; a node with many clients sends
                      // several, one after another, the last ending at 2^64-1
    evicted = 'E',    // NODE': a node whose frames stopped: its clients have left
  };
  std::string node;
  std::uint64_t seq = 0;    // the frame's number among NODE's: 1, 2, 3... (none taken twice)
  std::uint64_t event = 0;  // NODE's events (every kind but heartbeats) so far, this one included
  std::uint64_t time = 0;   // when it was sent, in milliseconds since 1970 (UTC)
  Kind kind = Kind::message;
  std::string text;
  bool operator==(const BusFrame&) const = default;
};

// A frame is at most this many bytes on the wire; a node splits what it says to fit.
inline constexpr std::size_t kMaxFrameBytes = 1024 * 1024;
// A node id is at most this many bytes of [A-Za-z0-9._:-].
inline constexpr std::size_t kMaxNodeIdBytes = 64;

bool is_node_id(std::string_view text);

// The frame as it goes on the bus, signed with the room's first key.
std::string seal(const BusFrame& frame, const RoomKeys& keys, std::string_view channel);

// Why a frame was dropped.
enum class FrameFault {
  none,
  too_big,        // over kMaxFrameBytes
  not_signed,     // not "g2 <TAB> MAC <TAB> ...": unsigned, or of another version
  bad_signature,  // signed by neither of the room's keys (or for another room)
  malformed,      // a field missing or not a number, an unknown kind, a bad node id
  bad_name,       // a name -names would not admit and no address
  bad_text,       // a line that is not one line of at most -max-line bytes
  bad_list,       // a heartbeat's ids out of order or outside its range
  stranger,       // a line of a client its node never announced here
};
std::string_view describe(FrameFault fault);

struct Unsealed {
  std::optional<BusFrame> frame;
  FrameFault fault = FrameFault::none;
};
// The frame in `bytes` if the room's keys signed it for `channel`, its fields well formed.
Unsealed unseal(std::string_view bytes, const RoomKeys& keys, std::string_view channel);

// What a frame's fields must be.
struct FrameRules {
  std::size_t max_line = 65536;
  std::function<bool(std::string_view)> is_name;  // a name -names admits, or an address
};

struct Checked {
  std::optional<BusEvent> event;
  FrameFault fault = FrameFault::none;
};
Checked check(const BusFrame& frame, const FrameRules& rules);

// The TEXT of each kind.
std::string said_text(std::uint64_t id, std::string_view text);
std::string arrived_text(const BusMember& member);
std::string left_text(std::uint64_t id);
// A node's clients (in arrival order, ids rising) as heartbeat texts, each at most `max_bytes`
// (and one at least, for none), together covering every id.
std::vector<std::string> roll_texts(const std::vector<BusMember>& members, std::size_t max_bytes);

// How one node's frames went on: a frame whose number was already taken (a replay, or one from
// before a later one) is stale, as is one whose numbers leap further ahead than a node's frames
// ever skip (one that would make every later frame of the node look old); otherwise `missed`
// events never came before it.
struct SequenceCheck {
  std::uint64_t missed = 0;
  bool stale = false;
};

// The numbers seen from one node: frames 1, 2, 3..., each taken once and in order; events
// numbered as they happen, so a gap in them is events lost (a lost heartbeat is no news). A node
// skips at most a few thousand frames at once (its backlogs' bounds), so a leap of more than
// kMaxLeap is no node's.
class NodeSequence {
 public:
  static constexpr std::uint64_t kMaxLeap = 1'000'000;

  SequenceCheck take(const BusFrame& frame);
  // Whether frame number `seq` was taken already, or one after it.
  bool taken(std::uint64_t seq) const { return last_seq_ && seq <= *last_seq_; }

 private:
  std::optional<std::uint64_t> last_seq_;
  std::uint64_t last_event_ = 0;
};

}  // namespace gonet
