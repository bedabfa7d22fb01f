#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_set>
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
// (LoopRoom). Sessions on any loop call it; one lock makes their calls one order, and nothing
// under the lock depends on how many clients there are but `Present:` (at most 100 names).
class Broadcaster {
 public:
  // `names` (-names): a newcomer hears who is present, and names that look alike are taken.
  explicit Broadcaster(bool names);
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
  // messages <- msg: the line to every client, its sender included. False when some loop has
  // fallen far behind: the sender should then wait until congested() is false again, so that no
  // loop's backlog grows without bound (LoopRoom::say does).
  bool broadcast(Message message);
  // leaving <- cli: the client gets nothing more; everyone else hears "NAME has left".
  void leave(Client& client);

  bool congested() const;

  // What waits for `loop`, in order, taken; the loop is woken when more comes. A take that ends a
  // congestion wakes every loop's waiting senders.
  std::vector<RoomEvent> take(LoopRoom& loop);

  // The bus's side (RoomBus, on its loop). A frame in the bus's order; `missed` frames of its
  // node never came before it.
  void from_bus(const BusFrame& frame, std::uint64_t missed);
  void bus_up();
  void bus_down();
  // This node's clients, for its heartbeat; the name keys of another node's, to release them.
  std::vector<std::pair<BusMember, NameKeys>> local_members() const;
  std::vector<NameKeys> name_keys_of(const std::string& node) const;

 private:
  struct Member {
    Client* client;  // nullptr for another node's, or one of ours that has left
    LoopRoom* loop;
    std::string name;
    NameKeys keys;
    std::string node;  // empty without a bus
    std::uint64_t id = 0;
    bool pending = false;  // ours, its arrival sent on the bus and not back yet
  };
  struct Outbox {
    LoopRoom* loop;
    std::vector<RoomEvent> events;
    std::size_t bytes = 0;
    bool asleep = false;  // its loop found nothing and waits to be woken
  };

  NameKeys keys_of_name(const std::string& name) const;
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
  void add(Member member);
  // Member `at` leaves the room: the others hear it. Returns the member after it.
  std::vector<Member>::iterator remove(std::vector<Member>::iterator at);
  // Every member for which `leaves` is true leaves, in arrival order, in one pass: a node's
  // crowd at once costs the room's size, not the product of the two.
  template <typename Predicate>
  void remove_if(Predicate leaves);
  // What a member's leaving does, once it is out of members_.
  void left(const Member& gone);
  std::vector<Member>::iterator find(const std::string& node, std::uint64_t id);
  void reconcile(const std::string& node, const std::string& heartbeat);

  const bool names_;
  mutable std::mutex mutex_;
  std::vector<Outbox> outboxes_;
  std::vector<Member> members_;  // in the order they arrived
  // The keys of the present names: a newcomer whose name has one is refused.
  std::unordered_set<std::string> folded_;
  std::unordered_set<std::string> skeletons_;
  bool congested_ = false;
  RoomBus* bus_ = nullptr;
  bool bus_up_ = false;
  bool cut_off_said_ = false;  // someone was told the node is on its own: say when it is not
  std::uint64_t next_id_ = 0;
};

}  // namespace gonet
