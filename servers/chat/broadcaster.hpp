#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "servers/chat/bus_frame.hpp"
#include "servers/chat/client.hpp"
#include "servers/chat/names.hpp"
#include "servers/chat/outgoing_queue.hpp"
#include "servers/chat/room_event.hpp"

namespace gonet {

class LoopRoom;
class RoomBus;

// The book's broadcaster, the one owner of the room: it puts every arrival, message and leaving
// into one order and hands each, once, to every event loop, which delivers it to its own clients
// (LoopRoom). Sessions on any loop call it; one lock makes their calls one order.
class Broadcaster {
 public:
  // `names` (-names): a newcomer hears who is present, and names that look alike are taken.
  // `raw` (-raw): a line goes out as its client sent it, not made safe for a terminal.
  explicit Broadcaster(bool names, bool raw = false);
  Broadcaster(const Broadcaster&) = delete;
  Broadcaster& operator=(const Broadcaster&) = delete;

  // An event loop joins before its first client comes, and parts when it ends.
  void join(LoopRoom& loop);
  void part(LoopRoom& loop);

  // -redis: this room is one of many nodes' on a bus, before any loop runs. While the bus is up,
  // the node's arrivals, messages and leavings go out on it, and what comes back (from every
  // node, in the bus's one order) is what the loops deliver; while it is down, the node is a room
  // of its own, as without -redis.
  void attach(RoomBus& bus);
  // The bus, when a name must be claimed on it before enter(); nullptr otherwise.
  RoomBus* bus_for_names() const;

  // entering <- cli: admits `client`, of `loop`, unless a present client's name is its own or
  // looks like it; then returns false. Everyone else hears "NAME has arrived"; the client, after
  // that, "You are NAME" (and with -names, who is present).
  bool enter(Client& client, LoopRoom& loop);
  // messages <- who + ": " + text: the line to every client, its sender included. False when
  // some loop has fallen far behind: the sender should then wait until congested() is false
  // again, so that no loop's backlog grows without bound (LoopRoom::say does).
  bool broadcast(const Client& from, std::string_view text);
  // leaving <- cli: the client gets nothing more; everyone else hears "NAME has left".
  void leave(Client& client);

  bool congested() const;

  // What waits for `loop`, in order, taken; the loop is woken when more comes. A take that ends a
  // congestion wakes every loop's waiting senders.
  std::vector<RoomEvent> take(LoopRoom& loop);

  // The bus's side (RoomBus, on its loop). An event of `node`'s (this node's own when `ours`),
  // checked, in the bus's order; `missed` events of that node never came before it. False for a
  // line of a client not in the room here, which is dropped (the gap before it, if its arrival
  // was lost, was told as missed events).
  bool from_bus(const std::string& node, bool ours, const BusEvent& event, std::uint64_t missed);
  void bus_up();
  void bus_down();
  // Hands `publish` this node's clients in arrival order (and with -names their name keys),
  // under the lock: what it publishes goes out after every frame published before, and before
  // any published after, so the list is the node's as those frames leave it.
  void roll_call(const std::function<void(const std::vector<BusMember>&,
                                          const std::vector<NameKeys>&)>& publish) const;
  // The name keys of another node's clients, to release them on Redis when it is gone.
  std::vector<NameKeys> name_keys_of(const std::string& node) const;

 private:
  struct Member {
    Client* client;  // nullptr for another node's, or one of ours that has left
    LoopRoom* loop;
    std::string name;
    NameKeys keys;
    const std::string* node;  // nullptr for ours; else its node's id, kept once in nodes_
    std::uint64_t id = 0;
    // Ours, not in the room yet: its arrival went out on the bus and has not come back (or, for
    // a moment inside arrive(), it is being told who is present).
    bool pending = false;
  };
  using Members = std::list<Member>;  // in the order they arrived
  struct MemberKey {
    const std::string* node;
    std::uint64_t id;
    bool operator==(const MemberKey&) const = default;
  };
  struct HashMemberKey {
    std::size_t operator()(const MemberKey& key) const {
      return std::hash<const void*>()(key.node) ^ (std::hash<std::uint64_t>()(key.id) << 1);
    }
  };
  struct Outbox {
    LoopRoom* loop;
    std::vector<RoomEvent> events;
    std::size_t bytes = 0;
    bool asleep = false;  // its loop found nothing and waits to be woken
  };

  NameKeys keys_of_name(const std::string& name) const;
  NameKeys keys_of_remote(const std::string& name) const;
  bool taken(const NameKeys& keys) const;
  // "Present: ..." for a newcomer: the others, the earliest 100 by name.
  Message present() const;
  // Hands `event` to every loop, or only to `loop`.
  void post(const RoomEvent& event, const LoopRoom* loop = nullptr);
  bool over_backlog(const Outbox& outbox) const;
  bool on_bus() const { return bus_ != nullptr && bus_up_; }
  bool reserves_name(const Member& member) const;
  // A member arrives: the others hear it, and if it is ours, it is in.
  void arrive(Member& member);
  Members::iterator add(Member member);
  // Member `at` leaves the room: the others hear it. Returns the member after it.
  Members::iterator remove(Members::iterator at);
  // Every member for which `leaves` is true leaves, in arrival order, in one pass.
  template <typename Predicate>
  void remove_if(Predicate leaves);
  Members::iterator find(const std::string* node, std::uint64_t id);
  // A heartbeat's part: `node`'s members with ids in the roll's range are exactly those listed.
  void reconcile(const std::string* node, const BusEvent::Roll& roll);
  void reconcile_ours(const BusEvent::Roll& roll);
  // Another node's id, kept once for all its members (and forgotten with the last of them).
  const std::string* intern(const std::string& node);
  const std::string* find_node(const std::string& node) const;
  bool full(const std::string* node) const;
  void forget_if_empty(const std::string* node);

  const bool names_;
  const bool raw_;
  mutable std::mutex mutex_;
  std::vector<Outbox> outboxes_;
  Members members_;
  std::unordered_map<MemberKey, Members::iterator, HashMemberKey> index_;
  // Other nodes by id, each with how many of its members are here.
  std::unordered_map<std::string, std::size_t> nodes_;
  // The keys of the present names, each with how many members hold it: a newcomer whose name
  // has one is refused, and a name is free when the last who held it is gone.
  std::unordered_map<std::string, std::size_t> folded_;
  std::unordered_map<std::string, std::size_t> skeletons_;
  bool congested_ = false;
  RoomBus* bus_ = nullptr;
  bool bus_up_ = false;
  bool cut_off_said_ = false;  // someone was told the node is on its own: say when it is not
  std::uint64_t next_id_ = 0;
};

}  // namespace gonet
