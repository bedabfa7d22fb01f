#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

#include "servers/chat/bus/bus_frame.hpp"

namespace gonet {

// A node heard on the bus: when, and its frames' numbers so far.
struct Peer {
  std::chrono::steady_clock::time_point heard;
  NodeSequence sequence;
  bool said_dead = false;  // its eviction sent (and again each beat until it comes back)
  bool evicted = false;    // its eviction came back: its clients are gone; kept for its numbers
};

// The nodes heard on the bus, by id, bounded: any key holder can make nodes up by the thousand.
class Peers {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kMaxPeers = 4096;
  // An evicted node's numbers are kept this long after it was last heard, then forgotten: by then
  // a replay of its frames is too old to be taken anyway.
  static constexpr auto kForgetEvictedAfter = std::chrono::seconds(60);

  Peer* find(const std::string& node);
  // A node heard for the first time, at `now`. Room is made by forgetting evicted nodes heard from
  // long ago, or else the one heard from longest ago; nullptr when all kMaxPeers are alive.
  Peer* add(const std::string& node, Clock::time_point now);
  void erase(const std::string& node) { peers_.erase(node); }

  auto begin() { return peers_.begin(); }
  auto end() { return peers_.end(); }

 private:
  std::unordered_map<std::string, Peer> peers_;
};

}  // namespace gonet
