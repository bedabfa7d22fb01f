#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <system_error>

#include <asio/ip/tcp.hpp>

namespace gonet {

// How many connections are served at once, across every event loop, for -max-conns.
class ConnectionLimit {
 public:
  explicit ConnectionLimit(std::size_t max) : max_(max) {}
  bool try_take();
  void give_back() { open_.fetch_sub(1, std::memory_order_relaxed); }
  std::size_t max() const { return max_; }

 private:
  std::size_t max_;  // 0: no cap but the descriptor limit
  std::atomic<std::size_t> open_{0};
};

// An accepted client: its socket and its place under the connection limit, both given back
// when the session that owns it ends.
class Connection {
 public:
  Connection(asio::ip::tcp::socket socket, asio::ip::tcp::endpoint peer, ConnectionLimit& limit)
      : socket_(std::move(socket)), peer_(peer), limit_(&limit) {}
  Connection(Connection&& other) noexcept
      : socket_(std::move(other.socket_)),
        peer_(other.peer_),
        limit_(std::exchange(other.limit_, nullptr)) {}
  Connection& operator=(Connection&&) = delete;
  ~Connection();

  asio::ip::tcp::socket& socket() { return socket_; }
  const asio::ip::tcp::endpoint& peer() const { return peer_; }

  // Logs why the session ends, in the words of `why`; an ordinary end is a debug line.
  void log_end(const std::error_code& why) const;

 private:
  asio::ip::tcp::socket socket_;
  asio::ip::tcp::endpoint peer_;
  ConnectionLimit* limit_;
};

// "127.0.0.1:8000", "[::1]:8000".
std::string to_string(const asio::ip::tcp::endpoint& endpoint);

}  // namespace gonet
