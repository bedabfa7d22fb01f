#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "common/net/connection.hpp"
#include "common/net/line_reader.hpp"
#include "common/net/notifier.hpp"
#include "common/net/task_group.hpp"
#include "common/net/write_queue.hpp"
#include "servers/reverb/reverb_options.hpp"

namespace gonet {

// One connection of an echo server: shouts (lines) in, echoes out through one WriteQueue, and
// the echoes spawned on their own coroutines kept in a task group, so that the connection ends
// only after every one of them: nothing is lost at the end (the book's reverb2 drops them).
class EchoSession {
 public:
  // At most this many echoes, and this much shout text, pending per connection; past either,
  // reading waits for echoes to end, so a client that floods lines costs bounded memory whatever
  // their length (SECURITY.md has the sums).
  static constexpr std::size_t kMaxPendingEchoes = 1024;
  static constexpr std::size_t kMaxPendingBytes = 1024 * 1024;
  // Echoes a session may have pending however far behind its loop is (LoopLag): more than anyone
  // typing has, so only floods wait.
  static constexpr std::size_t kFairShare = 16;

  EchoSession(Connection& conn, const ReverbOptions& options);
  EchoSession(const EchoSession&) = delete;
  EchoSession& operator=(const EchoSession&) = delete;

  // The next line the client shouts, or nullopt when there is none to come: the client closed
  // or half-closed, a line was over -max-line, the connection was idle for -idle-timeout, its
  // echoes could not be written, or it failed.
  asio::awaitable<std::optional<std::string>> next_shout();

  WriteQueue& out() { return out_; }

  // Runs echo(out(), shout, args...) on its own coroutine, the book's `go echo(c, shout, delay)`;
  // the shout counts as pending until that echo ends. `echo` must take the shout and `args` by
  // value: its frame outlives this call.
  template <class Echo, class... Args>
  void spawn(Echo echo, std::string shout, Args&&... args) {
    const std::size_t bytes = shout.size();
    pending_bytes_ += bytes;
    most_pending_bytes_ = std::max(most_pending_bytes_, pending_bytes_);
    echoes_.spawn(echo(out_, std::move(shout), std::forward<Args>(args)...), [this, bytes] {
      pending_bytes_ -= bytes;
      changed_.notify_all();
    });
  }

  // Waits for the pending echoes and the writer, then ends the connection and logs why.
  asio::awaitable<void> finish();

 private:
  asio::awaitable<std::pair<std::error_code, std::string>> read_line();
  void stop_reading(std::error_code why);

  Connection& conn_;
  std::chrono::nanoseconds idle_timeout_;
  LineReader<asio::ip::tcp::socket> lines_;
  WriteQueue out_;
  TaskGroup echoes_;
  std::size_t pending_bytes_ = 0;  // the pending echoes' shouts
  std::size_t most_pending_bytes_ = 0;
  std::error_code why_;  // why no more shouts come
  Notifier changed_;     // an echo ended, or reading stopped
  asio::steady_timer idle_;
};

}  // namespace gonet
