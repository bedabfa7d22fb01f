#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <asio/awaitable.hpp>

#include "servers/chat/client/client.hpp"
#include "servers/chat/room/bus.hpp"
#include "servers/chat/room/bus_event.hpp"
#include "servers/chat/room/loop_waker.hpp"
#include "servers/chat/room/member_table.hpp"
#include "servers/chat/room/room_event.hpp"

namespace gonet {

// The book's broadcaster, the one owner of the room: it puts every arrival, message and leaving
// into one order and hands each, once, to every event loop, which delivers it to its own clients
// (LoopRoom). Sessions on any loop call it; one lock makes their calls one order.
//
// The verbs, one for each step: a session enters and leaves (the book's channels); the
// broadcaster admits and dismisses members, and says so to the room; the MemberTable adds and
// removes them.
class Broadcaster {
 public:
  // `names` (-names): a newcomer hears who is present, and names that look alike are taken.
  // `raw` (-raw): a line goes out as its client sent it, not made safe for a terminal.
  explicit Broadcaster(bool names, bool raw = false);
  Broadcaster(const Broadcaster&) = delete;
  Broadcaster& operator=(const Broadcaster&) = delete;

  // An event loop joins before its first client comes, and parts when it ends.
  void join(LoopWaker& loop);
  void part(LoopWaker& loop);

  // -redis: this room is one of many nodes' on a bus, before any loop runs. While the bus is up,
  // the node's arrivals, messages and leavings go out on it, and what comes back (from every
  // node, in the bus's one order) is what the loops deliver; while it is down, the node is a room
  // of its own, as without -redis.
  void attach(Bus& bus);

  // With -names on a bus, before enter(): takes `name` room-wide (false: another node has it).
  asio::awaitable<bool> claim(const std::string& name);
  // entering <- cli: admits `client`, of `loop`, unless a present client's name is its own or
  // looks like it; then returns false. Everyone else hears "NAME has arrived"; the client, after
  // that, "You are NAME" (and with -names, who is present).
  bool enter(Client& client, LoopWaker& loop);
  // messages <- who + ": " + text: the line to every client, its sender included. False when
  // some loop has fallen far behind: the sender should then wait until congested() is false
  // again, so that no loop's backlog grows without bound (LoopRoom::say does).
  bool broadcast(const Client& from, std::string_view text);
  // leaving <- cli: the client gets nothing more; everyone else hears "NAME has left".
  void leave(Client& client);

  bool congested() const;

  // What waits for `loop`, in order, taken; the loop is woken when more comes. A take that ends a
  // congestion wakes every loop's waiting senders.
  std::vector<RoomEvent> take(LoopWaker& loop);

  // The bus's side (on its loop). An event of `node`'s (this node's own when `ours`), checked, in
  // the bus's order; `missed` events of that node never came before it. False for a line of a
  // client not in the room here, which is dropped (the gap before it, if its arrival was lost,
  // was told as missed events).
  bool from_bus(const std::string& node, bool ours, const BusEvent& event, std::uint64_t missed);
  void bus_up();
  void bus_down();
  // Hands `publish` this node's clients in arrival order (and with -names their name keys),
  // under the lock: what it publishes goes out after every frame published before, and before
  // any published after, so the list is the node's as those frames leave it.
  void roll_call(const std::function<void(const std::vector<BusMember>&,
                                          const std::vector<NameKeys>&)>& publish) const;
  // The name keys of another node's clients, to release them on the bus when it is gone.
  std::vector<NameKeys> name_keys_of(const std::string& node) const;

 private:
  using Member = MemberTable::Member;
  struct Outbox {
    LoopWaker* loop;
    std::vector<RoomEvent> events;
    std::size_t bytes = 0;
    bool asleep = false;  // its loop found nothing and waits to be woken
  };

  NameKeys keys_of_name(const std::string& name) const;
  // Another node's member, as the bus names it.
  Member remote(const std::string* node, const BusMember& member) const;
  // "Present: ..." for `newcomer`: the others, the earliest kMaxPresent by name.
  Message present(const Member& newcomer) const;
  Message says(std::string_view name, std::string_view text) const;
  // Hands `event` to every loop, or only to `loop`.
  void post(const RoomEvent& event, const LoopWaker* loop = nullptr);
  bool on_bus() const { return bus_ != nullptr && bus_up_; }
  // `member` is in the room: the others hear it, and if it is ours, so does its client.
  void admit(Member& member);
  // Member `at` is out of the room: the others hear it, if it was in. Returns the member after it.
  MemberTable::iterator dismiss(MemberTable::iterator at);
  // Another node's member, new here: admitted unless its node has too many.
  void admit_remote(const std::string* node, const BusMember& member);
  void carry_out(const MemberTable::Plan& plan, const std::string* node);
  void from_bus_arrived(const std::string& node, bool ours, const BusMember& member);
  void from_bus_left(const std::string* sender, bool ours, std::uint64_t id);
  void from_bus_roll(const std::string& node, bool ours, const BusEvent::Roll& roll);

  const bool names_;
  const bool raw_;
  mutable std::mutex mutex_;
  std::vector<Outbox> outboxes_;
  MemberTable members_;
  bool congested_ = false;
  Bus* bus_ = nullptr;
  bool bus_up_ = false;
  bool cut_off_said_ = false;  // someone was told the node is on its own: say when it is not
  std::uint64_t next_id_ = 0;
};

}  // namespace gonet
