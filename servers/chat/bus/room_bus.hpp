#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include "common/net/log.hpp"
#include "common/redis/redis_connection.hpp"
#include "servers/chat/bus/bus_frame.hpp"
#include "servers/chat/bus/bus_options.hpp"
#include "servers/chat/bus/name_claims.hpp"
#include "servers/chat/bus/peers.hpp"
#include "servers/chat/bus/room_keys.hpp"
#include "servers/chat/room/bus.hpp"
#include "servers/chat/room/names.hpp"

namespace gonet {

class Broadcaster;

// This server as one node of a room on Redis (SPEC "chat across servers", "on a hostile bus").
// It publishes the node's events to the room's channel, signed, and hands the broadcaster what
// comes back from its subscription, its own events included: Redis gives every subscriber one
// channel's messages in one order, so every node delivers one order. Whoever can publish on the
// channel is a client of every node at once, so a frame is taken only if signed by the room's key,
// well formed, within bounds, newer than the last of its node's, and recent; anything else is
// dropped whole, counted, and warned about at most once a second.
//
// Two connections (one subscribed, one publishing) on one event loop; a heartbeat a second
// carries the node's clients, and coming back on the subscription it is the probe that a silent
// Redis is noticed by (the node is in the room from its first heartbeat's return: both
// connections work); a node silent for 8 s is dead and its clients have left. A link that fails
// in any way (refused, a login refused, TLS, silence, an error of the code that runs it) is down:
// the node is on its own, and tries again after 0.25 s, 0.5 s, then every second; back, it gives
// the others 2.5 s to be heard from. (Those are BusTimings' defaults.)
//
// Its code is in three files: room_bus.cpp (the link), room_bus_in.cpp (what comes back),
// room_bus_out.cpp (what goes out).
class RoomBus final : public Bus {
 public:
  RoomBus(BusOptions options, Broadcaster& broadcaster);
  ~RoomBus();
  RoomBus(const RoomBus&) = delete;
  RoomBus& operator=(const RoomBus&) = delete;

  // This node's id, new at each start (and when another is heard using it). The bus's loop only.
  const std::string& node() const { return node_; }

  // To be spawned on `executor`'s event loop, before any loop runs, for as long as it runs. Its
  // connections and timers go with the loop.
  asio::awaitable<void> run(const asio::any_io_executor& executor);

  // The room's side (Bus), from any event loop: each frame goes out in the order of the calls
  // (its numbers are given on the bus's loop).
  void publish_arrived(const BusMember& member) override;
  void publish_said(std::uint64_t id, std::string_view text) override;
  void publish_left(std::uint64_t id) override;
  // True only when Redis answers that the name is ours. True without asking when the node is cut
  // off: then a name is only checked on this node.
  asio::awaitable<bool> claim(NameKeys keys) override;
  void release(NameKeys keys) override;

 private:
  struct Link;
  struct Sent {
    std::uint64_t seq;
    std::string mac;  // as it is on the wire, hex
  };

  asio::awaitable<void> keep_linked();
  asio::awaitable<std::string> link_once();
  asio::awaitable<void> open_link();
  asio::awaitable<void> supervise();
  void end_link(const std::string& why);
  // Past 16 MiB waiting for the bus's loop, a frame is skipped, its number with it, so that the
  // others hear of the gap.
  void publish(BusFrame::Kind kind, std::string text);
  void on_message(RedisReply message);
  // A message of the room's channel: checked, and handed to the broadcaster if it passes.
  void received(std::string_view payload);
  // Whether `frame` is a replay (too old, or its number taken); warns and counts it if so.
  bool replayed(const BusFrame& frame, const NodeSequence& sequence);
  // Ours back from the bus: whether it is one we sent on this link; else someone else's use of
  // our id, or a replay of ours.
  bool ours_indeed(const BusFrame& frame, std::string_view payload);
  void warn_dropped(RateLimitedWarning& warning, const std::string& what);
  void subscribed();
  void joined();
  // Whether a frame with this node's id is one it sent (else someone else uses the id).
  bool sent_by_us(const BusFrame& frame, std::string_view payload);
  void take_fresh_id();
  void send(BusFrame::Kind kind, std::string text, bool before_joining = false);
  void heartbeat();
  void evict_the_silent();
  void went_down(const std::string& why);
  void refused(const std::string& what, const RedisReply& reply);
  void drop(FrameFault fault, const std::string& node = {});
  Peer* peer_of(const std::string& node);
  asio::awaitable<bool> claim_here(NameKeys keys);
  // Sends a names command (NameClaims), unless it names no key.
  void send_names_command(std::vector<std::string> argv);

  BusOptions options_;
  FrameRules rules_;
  std::string channel_;
  NameClaims names_;
  Broadcaster& broadcaster_;
  std::string node_;
  std::deque<std::string> former_ids_;   // ours before (the last few), whose frames may still come
  std::optional<std::string> farewell_;  // a former id to evict once back in the room
  std::optional<std::string> adopt_names_of_;  // a former id whose names on Redis become ours
  asio::any_io_executor executor_;
  std::unique_ptr<Link> link_;  // while connected (link_once)
  bool up_ = false;  // in the room: our heartbeat came back on this link (both connections work)
  std::uint64_t seq_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t events_sent_ = 0;  // the event count of the last frame sent
  std::uint64_t skipped_ = 0;
  std::deque<Sent> in_flight_;  // published on this link, not heard back yet
  unsigned beats_ = 0;
  bool said_down_ = false;
  std::chrono::steady_clock::time_point own_heard_;
  Peers peers_;
  std::atomic<std::size_t> unsent_bytes_{0};
  std::atomic<std::uint64_t> unsent_skipped_{0};
  std::size_t dropped_ = 0;
  std::size_t redis_errors_ = 0;
  RateLimitedWarning backlog_full_;
  RateLimitedWarning not_signed_;
  RateLimitedWarning malformed_;
  RateLimitedWarning replayed_;
  RateLimitedWarning crowded_;
  RateLimitedWarning silent_;
  RateLimitedWarning redis_refused_;
};

}  // namespace gonet
