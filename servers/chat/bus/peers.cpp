#include "servers/chat/bus/peers.hpp"

#include <iterator>

namespace gonet {

Peer* Peers::find(const std::string& node) {
  const auto at = peers_.find(node);
  return at == peers_.end() ? nullptr : &at->second;
}

Peer* Peers::add(const std::string& node, Clock::time_point now) {
  std::erase_if(peers_, [&](const auto& each) {
    return each.second.evicted && now - each.second.heard > kForgetEvictedAfter;
  });
  if (peers_.size() >= kMaxPeers) {
    auto oldest = peers_.end();
    for (auto at = peers_.begin(); at != peers_.end(); ++at) {
      if (at->second.evicted &&
          (oldest == peers_.end() || at->second.heard < oldest->second.heard)) {
        oldest = at;
      }
    }
    if (oldest == peers_.end()) return nullptr;
    peers_.erase(oldest);
  }
  Peer& peer = peers_[node];
  peer.heard = now;
  return &peer;
}

}  // namespace gonet
