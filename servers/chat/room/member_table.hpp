#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "servers/chat/room/bus_event.hpp"
#include "servers/chat/room/names.hpp"

namespace gonet {

class Client;
class LoopWaker;

// Who is in the room: this node's clients and, on a bus, every other node's, in the order they
// arrived, with the keys of the names they hold. A plain table: no lock (the broadcaster's guards
// it), no I/O, nothing said to anyone; what a heartbeat changes it returns as a plan for the
// broadcaster to carry out and announce.
class MemberTable {
 public:
  struct Member {
    Client* client = nullptr;   // ours while it is in the room; else nullptr
    LoopWaker* loop = nullptr;  // ours: its client's event loop
    std::string name;
    NameKeys keys;
    const std::string* node = nullptr;  // another node's: that node's id (kept once, intern())
    std::uint64_t id = 0;               // its number among its node's members
    // Ours, whose arrival went out on the bus and has not come back: not in the room yet.
    bool arriving = false;
  };
  using Members = std::list<Member>;  // in the order they arrived
  using iterator = Members::iterator;

  // What a heartbeat's list changes, in the order to carry it out.
  struct Plan {
    std::vector<iterator> gone;        // members who left unheard, in arrival order
    std::vector<BusMember> newcomers;  // another node's, listed and not here
    std::vector<iterator> in;          // ours whose arrival the bus lost: in now
  };

  // Another node's members kept at most: more than any one server serves (its descriptors), so
  // only a key holder gone wrong meets it, and it cannot grow the room without bound.
  static constexpr std::size_t kMaxMembersPerNode = 100'000;

  // `names` (-names): every name is the room's to keep unique; else only this node's addresses.
  explicit MemberTable(bool names) : names_(names) {}

  iterator begin() { return members_.begin(); }
  iterator end() { return members_.end(); }
  std::size_t size() const { return members_.size(); }

  // Whether a present member's name shares a key with `keys` (NameKeys).
  bool taken(const NameKeys& keys) const;
  iterator add(Member member);
  // Returns the member after it.
  iterator remove(iterator at);
  // Ours when `node` is nullptr.
  iterator find(const std::string* node, std::uint64_t id);

  // Another node's id as its members hold it, or nullptr when none is here.
  const std::string* node(const std::string& id) const;
  // The same, kept from now on; forget_if_empty() lets it go once it has no members.
  const std::string* intern(const std::string& id);
  bool full(const std::string* node) const;
  void forget_if_empty(const std::string* node);

  struct Present {
    std::vector<std::string_view> names;  // the first `most`, in arrival order
    std::size_t count = 0;                // all of them
  };
  // Those in the room but `newcomer`.
  Present present(const Member* newcomer, std::size_t most) const;
  struct Ours {
    std::vector<BusMember> members;
    std::vector<NameKeys> keys;  // empty unless asked for
  };
  // Ours in the room (for a heartbeat), with their name keys when `with_keys`.
  Ours ours(bool with_keys) const;
  std::vector<NameKeys> keys_of(const std::string* node) const;

  // A heartbeat of `node` lists its members with ids in the roll's range as they are after every
  // frame it sent before it: who is missing has left, who is new has arrived.
  Plan reconcile(const std::string* node, const BusEvent::Roll& roll);
  // Ours, as the others read our heartbeat: one whose arrival the bus lost is in now, and one who
  // left unheard is gone.
  Plan reconcile_ours(const BusEvent::Roll& roll);

 private:
  struct Key {
    const std::string* node;
    std::uint64_t id;
    bool operator==(const Key&) const = default;
  };
  struct HashKey {
    std::size_t operator()(const Key& key) const {
      return std::hash<const void*>()(key.node) ^ (std::hash<std::uint64_t>()(key.id) << 1);
    }
  };
  using Counts = std::unordered_map<std::string, std::size_t>;

  // A chosen name is the room's; an address only its own node's to keep unique.
  bool reserves_name(const Member& member) const { return names_ || member.node == nullptr; }

  const bool names_;
  Members members_;
  std::unordered_map<Key, iterator, HashKey> index_;
  Counts nodes_;  // other nodes by id, each with how many of its members are here
  // The keys of present names, each with how many members hold it.
  Counts folded_;
  Counts skeletons_;
};

}  // namespace gonet
