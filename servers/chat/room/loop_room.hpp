#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include "common/net/notifier.hpp"
#include "servers/chat/client/client.hpp"
#include "servers/chat/room/broadcaster.hpp"
#include "servers/chat/room/loop_waker.hpp"
#include "servers/chat/room/room_event.hpp"

namespace gonet {

// The room as one event loop sees it: the loop's own clients, and the broadcaster's half that
// writes to them. It takes what the broadcaster handed the loop, in the one order, a round at a
// time: the round's lines are joined once, each client's part of them goes into its queue as one
// entry, and then each client's queue leaves in one gathered send. So a storm of arrivals,
// leavings or messages costs each client a push and a send per round, not one per line, and a
// client that keeps up gets each line in the round it came. Its sessions reach the broadcaster
// through it.
class LoopRoom final : public LoopWaker {
 public:
  LoopRoom(const asio::any_io_executor& executor, Broadcaster& broadcaster);
  ~LoopRoom();
  LoopRoom(const LoopRoom&) = delete;
  LoopRoom& operator=(const LoopRoom&) = delete;

  // The sessions' side, the book's three channels (Broadcaster has the details).
  bool enter(Client& client) { return broadcaster_.enter(client, *this); }
  // With -names on a bus, before enter(): takes `name` room-wide (false: another node has it).
  asio::awaitable<bool> claim(const std::string& name) { return broadcaster_.claim(name); }
  // Waits while the room is congested; and then for the others' turn, so that one who sends
  // line after line gets one in per turn, like everyone else.
  asio::awaitable<void> say(const Client& from, std::string_view text);
  void leave(Client& client) { broadcaster_.leave(client); }

  // The loop's half of the broadcaster, for as long as the loop serves.
  asio::awaitable<void> deliver();

  // The broadcaster's side (LoopWaker), from any thread.
  void wake() override;
  void wake_senders() override;

 private:
  // The round's lines back to back, made once (round_ends_ says where each ends): each client's
  // part of them is one entry in its queue, so a round of a thousand arrivals costs each client
  // one push, not a thousand.
  Message join_lines(const std::vector<RoomEvent>& events);
  // Puts a round's events into the clients' queues, in order.
  void play(const std::vector<RoomEvent>& events);
  void flush_round();
  void flush_later(Client& client);

  asio::any_io_executor executor_;
  Broadcaster& broadcaster_;
  std::vector<Client*> clients_;   // this loop's clients in the room
  std::vector<Client*> to_flush_;  // this round's, when not all of them
  bool flush_all_ = false;
  std::uint64_t round_ = 0;
  std::vector<std::size_t> round_ends_;  // where each of the round's lines ends
  Notifier news_;
  Notifier uncongested_;
  asio::steady_timer pause_;
};

}  // namespace gonet
