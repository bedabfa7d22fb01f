#include "common/net/connection.hpp"

#include <asio/error.hpp>
#include <spdlog/spdlog.h>

#include "common/net/failure.hpp"

namespace gonet {

namespace {

// One host, however it reached a dual-stack listener: ::ffff:192.0.2.1 is 192.0.2.1.
asio::ip::address host_of(const asio::ip::address& peer) {
  if (peer.is_v6() && peer.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, peer.to_v6());
  }
  return peer;
}

}  // namespace

ConnectionLimit::Verdict ConnectionLimit::try_take(const asio::ip::address& peer) {
  const std::size_t before = open_.fetch_add(1, std::memory_order_relaxed);
  if (max_ != 0 && before >= max_) {
    open_.fetch_sub(1, std::memory_order_relaxed);
    return Verdict::over_max;
  }
  if (max_per_host_ != 0) {
    const std::lock_guard lock(mutex_);
    std::size_t& open = per_host_[host_of(peer)];
    if (open >= max_per_host_) {
      open_.fetch_sub(1, std::memory_order_relaxed);
      return Verdict::over_max_per_host;
    }
    ++open;
  }
  return Verdict::taken;
}

void ConnectionLimit::give_back(const asio::ip::address& peer) {
  if (max_per_host_ != 0) {
    const std::lock_guard lock(mutex_);
    const auto at = per_host_.find(host_of(peer));
    if (at != per_host_.end() && --at->second == 0) per_host_.erase(at);
  }
  open_.fetch_sub(1, std::memory_order_relaxed);
}

Connection::~Connection() {
  if (limit_ != nullptr) limit_->give_back(peer_.address());
}

void Connection::log_end(const std::error_code& why) const {
  // Not even the words, unless they are wanted: every session ends here.
  if (!spdlog::should_log(spdlog::level::debug)) return;
  if (!why || why == asio::error::eof) {
    spdlog::debug("close {}: client closed", to_string(peer_));
  } else {
    spdlog::debug("close {}: {}", to_string(peer_), describe(why));
  }
}

std::string to_string(const asio::ip::tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace gonet
