#include "common/net/connection.hpp"

#include <asio/error.hpp>
#include <spdlog/spdlog.h>

#include "common/net/failure.hpp"

namespace gonet {

bool ConnectionLimit::try_take() {
  const std::size_t before = open_.fetch_add(1, std::memory_order_relaxed);
  if (max_ == 0 || before < max_) return true;
  open_.fetch_sub(1, std::memory_order_relaxed);
  return false;
}

Connection::~Connection() {
  if (limit_ != nullptr) limit_->give_back();
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
