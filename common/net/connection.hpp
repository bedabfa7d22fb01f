#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <system_error>
#include <unordered_map>

#include <asio/ip/tcp.hpp>

namespace gonet {

// How many connections are served at once across every event loop: in all (-max-conns) and from
// one address (-max-conns-per-host). 0 is no cap.
class ConnectionLimit {
 public:
  explicit ConnectionLimit(std::size_t max, std::size_t max_per_host = 0)
      : max_(max), max_per_host_(max_per_host) {}

  enum class Verdict { taken, over_max, over_max_per_host };
  // A place for a connection from `peer`, given back by give_back(peer), unless a cap is reached.
  Verdict try_take(const asio::ip::address& peer);
  void give_back(const asio::ip::address& peer);

  std::size_t max() const { return max_; }
  std::size_t max_per_host() const { return max_per_host_; }

 private:
  std::size_t max_;
  std::size_t max_per_host_;
  std::atomic<std::size_t> open_{0};
  std::mutex mutex_;  // for per_host_, counted only with a cap
  std::unordered_map<asio::ip::address, std::size_t> per_host_;
};

// An accepted client: its socket and its place under the connection limits, both given back
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
