#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "common/net/notifier.hpp"
#include "common/net/task_group.hpp"

namespace gonet {

// The one writer of a connection. Many coroutines may write at once (the book warns that
// net.Conn methods must then be safe to call concurrently; Asio forbids a second async_write
// while one is in flight): each line goes out whole, after the lines written before it.
//
// A client that keeps up takes each line straight into its socket buffer from write(), with no
// coroutine of the queue's own. Only when the socket is full does a line wait in the queue, and a
// writer coroutine, which lives only while lines wait, sends them one after another.
class WriteQueue {
 public:
  using FailureHandler = std::function<void(std::error_code)>;

  // `on_failure` hears of the first failed or stuck write, at once, and with none of the queue's
  // operations on the socket pending: it may cancel the socket's.
  WriteQueue(asio::ip::tcp::socket& socket, std::chrono::nanoseconds write_timeout,
             FailureHandler on_failure = {});
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  // Writes or queues `line`. Completes at once, unless more than kHighWater bytes already wait
  // for a client that is not reading: then when they have gone out. Fails once the connection has
  // failed (a write error, or a write unfinished after the write timeout); later lines are dropped.
  asio::awaitable<std::error_code> write(std::string line);

  // write() without the wait, for a caller that has seen !full() or awaited room(): no coroutine
  // frame per line, which is most of a short line's cost.
  std::error_code put(std::string line);

  // Completes when write() would not wait, or fails as it would. A writer that makes its line only
  // then holds no line of its own while a client that does not read keeps it waiting.
  asio::awaitable<std::error_code> room();

  // Whether write() would wait now: room() costs a coroutine, worth it only then.
  bool full() const { return !failure_ && queued_bytes_ > kHighWater; }

  // Waits until every queued line has gone out, or the connection has failed. Call it before the
  // queue goes away.
  asio::awaitable<void> flush();

  static constexpr std::size_t kHighWater = 64 * 1024;

 private:
  asio::awaitable<void> send_queued();
  void fail(std::error_code why);
  bool queue_empty() const { return head_ == lines_.size(); }

  asio::ip::tcp::socket& socket_;
  std::chrono::nanoseconds write_timeout_;
  FailureHandler on_failure_;
  std::vector<std::string> lines_;  // lines_[head_] is the next to go; empty once all went
  std::size_t head_ = 0;
  std::size_t queued_bytes_ = 0;
  bool sending_ = false;  // send_queued() is taking lines from the queue
  std::error_code failure_;
  Notifier room_;     // a line went out, or the connection failed
  TaskGroup sender_;  // send_queued(); a new one may start while the last is winding up
};

}  // namespace gonet
