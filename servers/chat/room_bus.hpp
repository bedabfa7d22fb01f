#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "common/net/log.hpp"
#include "servers/chat/bus_frame.hpp"
#include "servers/chat/names.hpp"
#include "servers/chat/redis_connection.hpp"

namespace gonet {

class Broadcaster;

// This server as one node of a room on Redis (SPEC "chat across servers"). It publishes the
// node's events to the room's channel and hands the broadcaster everything that comes back from
// its subscription, its own events included: Redis gives every subscriber one channel's messages
// in one order, so every node delivers one order. Two connections (one subscribed, one
// publishing) on one event loop; a heartbeat a second carries the node's clients, and coming
// back on the subscription it is the probe that a silent Redis is noticed by (the node is in the
// room from its first heartbeat's return: both connections work); a node silent for 8 s is dead
// and its clients have left. While Redis is away the node is on its own, and tries again after
// 0.25 s, 0.5 s, then every second; back, it gives the others 2.5 s to be heard from.
class RoomBus {
 public:
  RoomBus(RedisAddress redis, const std::string& room, Broadcaster& broadcaster);
  RoomBus(const RoomBus&) = delete;
  RoomBus& operator=(const RoomBus&) = delete;

  const std::string& node() const { return node_; }

  // To be spawned on `executor`'s event loop, before any loop runs, for as long as it runs. Its
  // connections and timers are the coroutine's, so they go with the loop.
  asio::awaitable<void> run(const asio::any_io_executor& executor);

  // From any event loop: the frame goes out in the order of the calls (its sequence number is
  // given on the bus's loop). Past 16 MiB waiting for the bus's loop, a frame is skipped, its
  // number with it, so that the others hear of the gap.
  void publish(BusFrame::Kind kind, std::string text);
  // Takes `keys` room-wide for this node (false: another node has it). True without asking when
  // Redis is away: then a name is only checked on this node.
  asio::awaitable<bool> claim(NameKeys keys);
  void release(NameKeys keys);

 private:
  struct Link;
  asio::awaitable<void> keep_linked();
  asio::awaitable<bool> claim_here(NameKeys keys);
  void script(const char* body, const std::vector<std::string>& keys, const std::string& owner);
  void on_subscription(Link& link, redisReply* reply);
  void subscribed(Link& link);
  void joined();
  void send(BusFrame::Kind kind, std::string text);
  void received(std::string_view payload);
  void heartbeat();
  void evict_the_silent();
  void went_down(const std::string& why);
  std::string name_key(const std::string& key) const;

  RedisAddress redis_;
  std::string channel_;
  std::string key_prefix_;
  Broadcaster& broadcaster_;
  std::string node_;
  asio::any_io_executor executor_;
  Link* link_ = nullptr;  // run()'s, while connected
  bool up_ = false;  // in the room: our heartbeat came back on this link (both connections work)
  std::uint64_t seq_ = 0;
  std::uint64_t skipped_ = 0;
  unsigned beats_ = 0;
  bool said_down_ = false;
  std::chrono::steady_clock::time_point own_heard_;
  struct Peer {
    std::chrono::steady_clock::time_point heard;
    NodeSequence sequence;
    bool said_dead = false;  // its eviction sent (and again each second until it comes back)
  };
  std::map<std::string, Peer> peers_;
  std::atomic<std::size_t> unsent_bytes_{0};
  std::atomic<std::uint64_t> unsent_skipped_{0};
  RateLimitedWarning backlog_full_;
  RateLimitedWarning not_a_frame_;
};

}  // namespace gonet
