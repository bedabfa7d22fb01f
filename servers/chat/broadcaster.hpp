#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "servers/chat/client.hpp"
#include "servers/chat/names.hpp"
#include "servers/chat/outgoing_queue.hpp"
#include "servers/chat/room_event.hpp"

namespace gonet {

class LoopRoom;

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

 private:
  struct Member {
    Client* client;
    LoopRoom* loop;
    std::string name;
    NameKeys keys;
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

  const bool names_;
  mutable std::mutex mutex_;
  std::vector<Outbox> outboxes_;
  std::vector<Member> members_;  // in the order they arrived
  // The keys of the present names: a newcomer whose name has one is refused.
  std::unordered_set<std::string> folded_;
  std::unordered_set<std::string> skeletons_;
  bool congested_ = false;
};

}  // namespace gonet
