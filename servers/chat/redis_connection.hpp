#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/posix/stream_descriptor.hpp>

struct redisAsyncContext;
struct redisReply;

namespace gonet {

// Where Redis listens: HOST:PORT, or a Unix socket's path (beginning with '/').
struct RedisAddress {
  std::string host;  // empty for a Unix socket
  int port = 0;
  std::string path;
  bool operator==(const RedisAddress&) const = default;
};

std::string to_string(const RedisAddress& address);

// One connection to Redis, hiredis's async API driven by the event loop it was made on: hiredis
// asks for reads and writes through its addRead/delRead/addWrite/delWrite hooks, which this
// answers with async_wait on the socket; its cleanup hook lets the descriptor go without closing
// it (hiredis closes it, once). No thread of its own, nothing that blocks the loop but the name
// lookup of a HOST (use an address or a socket path).
class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  // A reply, or nullptr when the connection ended before it came.
  using OnReply = std::function<void(redisReply*)>;
  // Why the connection ended (not called after close()).
  using OnEnd = std::function<void(const std::string& why)>;

  // Starts connecting; commands may be queued at once. nullptr with `why` set if hiredis cannot
  // even start.
  static std::shared_ptr<RedisConnection> connect(const asio::any_io_executor& executor,
                                                  const RedisAddress& address, OnEnd on_end,
                                                  std::string& why);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends a command; `on_reply` gets its reply. False when the connection has ended.
  bool command(const std::vector<std::string>& argv, OnReply on_reply);
  // SUBSCRIBE: `on_message` gets each reply of the subscription, its confirmation first.
  bool subscribe(const std::string& channel, OnReply on_message);
  // Commands sent whose replies have not come, and their bytes.
  std::size_t pending() const { return pending_; }
  std::size_t pending_bytes() const { return pending_bytes_; }
  bool open() const { return context_ != nullptr; }

  // Ends the connection; replies not come yet are given nullptr. Not from within a reply.
  void close();

 private:
  RedisConnection(const asio::any_io_executor& executor, OnEnd on_end);
  struct Pending {
    OnReply on_reply;
    std::size_t bytes;
  };

  static void add_read(void* self);
  static void del_read(void* self);
  static void add_write(void* self);
  static void del_write(void* self);
  static void cleanup(void* self);
  static void connected(const redisAsyncContext* context, int status);
  static void disconnected(const redisAsyncContext* context, int status);
  static void replied(redisAsyncContext* context, void* reply, void* pending);
  static void message(redisAsyncContext* context, void* reply, void* self);

  void wait_readable();
  void wait_writable();
  void ended(const std::string& why);

  asio::posix::stream_descriptor socket_;
  redisAsyncContext* context_ = nullptr;
  OnEnd on_end_;
  OnReply on_message_;
  bool reading_ = false, read_waiting_ = false;
  bool writing_ = false, write_waiting_ = false;
  bool closing_ = false;
  std::size_t pending_ = 0;
  std::size_t pending_bytes_ = 0;
};

}  // namespace gonet
