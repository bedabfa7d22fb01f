#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>

#include "common/net/notifier.hpp"
#include "common/redis/redis_address.hpp"
#include "common/redis/redis_reply.hpp"
#include "common/tls/tls_config.hpp"

namespace gonet {

// How to reach Redis and log in: its address, the password (AUTH PASSWORD, or AUTH USER PASSWORD
// when the address names a user; none when empty) and, for rediss://, the TLS configuration
// (made once, for every reconnection).
struct RedisLink {
  RedisAddress address;
  std::string password;
  std::shared_ptr<TlsConfig> tls;  // rediss:// only
};

// One connection to Redis on an event loop: its protocol parsed by hiredis's reader and written
// by hiredis's formatter, its bytes carried by Asio over TCP, TLS or a Unix socket. Commands are
// pipelined and their replies handed back in order; what answers no command (a subscription's
// messages) goes to the push handler. Everything here belongs to one event loop, and no callback
// runs inside hiredis.
class RedisConnection {
 public:
  // A command's reply, or nullopt when the connection ended before it came.
  using OnReply = std::function<void(std::optional<RedisReply>)>;
  using OnPush = std::function<void(RedisReply)>;

  // Connects and logs in. Throws Failure, one line: "connect localhost:6379: connection refused",
  // "tls handshake with localhost:6380: certificate verify failed (self-signed certificate)",
  // "login as node refused: WRONGPASS invalid username-password pair or user is disabled.". Replies
  // longer than `max_bulk` bytes come as nils (RedisReader).
  static asio::awaitable<std::unique_ptr<RedisConnection>> open(const RedisLink& link,
                                                                std::size_t max_bulk);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Queues a command; `on_reply` gets its reply while run() runs. False, without a call, once the
  // connection has ended.
  bool send(std::span<const std::string> argv, OnReply on_reply);
  // A command's reply; nullopt when the connection ends first.
  asio::awaitable<std::optional<RedisReply>> call(std::vector<std::string> argv);
  // Where a subscription's messages go: arrays whose first element is "message" or "pmessage".
  void on_push(OnPush on_push) { on_push_ = std::move(on_push); }

  // Writes what is queued and reads replies until the connection fails (Failure: "connection
  // closed by redis", "redis sent what is not its protocol: ...") or close() is called (then it
  // returns). Either way every command still owed a reply gets nullopt.
  asio::awaitable<void> run();
  // Ends the connection: run() returns. Callbacks may call it.
  void close();

  // Commands sent whose replies have not come, and their bytes; bulk strings dropped as too long.
  std::size_t pending() const { return owed_.size(); }
  std::size_t pending_bytes() const { return pending_bytes_; }
  std::size_t oversized() const { return reader_.oversized(); }

 private:
  using Stream =
      std::variant<asio::ip::tcp::socket, asio::local::stream_protocol::socket, TlsStream>;
  struct Owed {
    OnReply on_reply;
    std::size_t bytes;
  };

  RedisConnection(Stream stream, std::size_t max_bulk);
  asio::awaitable<void> read_loop();
  asio::awaitable<void> write_loop();
  // Reads until one reply has come whole; throws Failure if the stream ends or is not RESP.
  asio::awaitable<RedisReply> read_reply();
  void dispatch(RedisReply reply);
  void fail_owed();

  Stream stream_;
  RedisReader reader_;
  std::vector<char> buffer_;
  std::string unsent_;
  std::deque<Owed> owed_;
  std::size_t pending_bytes_ = 0;
  OnPush on_push_;
  Notifier news_;  // for the writer: something to send, or the end
  bool closed_ = false;
};

}  // namespace gonet
