#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace gonet {

// A client of some node, as the frames name it: a number of its node's, and its name.
struct BusMember {
  std::uint64_t id = 0;
  std::string name;
  bool operator==(const BusMember&) const = default;
};

// What a node's frame says (another node's, or this one's back from the bus), as the room takes
// it: checked by the bus before it comes here, every name one that -names would admit or an
// address, every line one line of at most -max-line bytes, every list in order.
struct BusEvent {
  struct Said {
    std::uint64_t id;
    std::string text;
    bool operator==(const Said&) const = default;
  };
  struct Arrived {
    BusMember member;
    bool operator==(const Arrived&) const = default;
  };
  struct Left {
    std::uint64_t id;
    bool operator==(const Left&) const = default;
  };
  // A heartbeat's part: the node's clients with ids in [first, last] are exactly `members`.
  struct Roll {
    std::uint64_t first;
    std::uint64_t last;
    std::vector<BusMember> members;
    bool operator==(const Roll&) const = default;
  };
  struct Evicted {
    std::string node;
    bool operator==(const Evicted&) const = default;
  };
  std::variant<Said, Arrived, Left, Roll, Evicted> what;
  bool operator==(const BusEvent&) const = default;
};

}  // namespace gonet
