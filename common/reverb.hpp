#pragma once

#include <asio/awaitable.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <system_error>

#include "common/connection.hpp"
#include "common/flags.hpp"
#include "common/line_reader.hpp"
#include "common/write_queue.hpp"

namespace gonet {

// One connection of an echo server: shouts (lines) in, echoes out through one WriteQueue, and
// the echoes spawned on their own coroutines kept track of, so that the connection ends only
// after every one of them: nothing is lost at the end (the book's reverb2 drops them).
class Reverb {
 public:
  // At most this many echoes, and this much shout text, pending per connection; past either,
  // reading waits for echoes to end, so a client that floods lines costs bounded memory whatever
  // their length (SECURITY.md has the sums).
  static constexpr std::size_t kMaxPendingEchoes = 1024;
  static constexpr std::size_t kMaxPendingBytes = 1024 * 1024;

  Reverb(Connection& conn, const ReverbOptions& options);
  Reverb(const Reverb&) = delete;
  Reverb& operator=(const Reverb&) = delete;

  // The next line the client shouts, or nullopt when there is none to come: the client closed
  // or half-closed, a line was over -max-line, the connection was idle for -idle-timeout, or it
  // failed.
  asio::awaitable<std::optional<std::string>> next_shout();

  WriteQueue& out() { return out_; }

  // Runs `echo`, the echo of the shout next_shout() returned last, on its own coroutine: the
  // book's `go echo(c, input.Text(), delay)`. That shout counts as pending until it ends.
  void spawn(asio::awaitable<void> echo);

  // Waits for the pending echoes and the writer, then ends the connection and logs why.
  asio::awaitable<void> finish();

 private:
  asio::awaitable<void> watch_idle();
  asio::awaitable<void> wait_until_changed();
  void stop_reading(std::error_code why);

  Connection& conn_;
  std::chrono::nanoseconds idle_timeout_;
  LineReader<asio::ip::tcp::socket> lines_;
  WriteQueue out_;
  std::size_t echoes_ = 0;         // pending echoes
  std::size_t pending_bytes_ = 0;  // their shouts' length
  std::size_t last_shout_bytes_ = 0;
  std::size_t most_pending_bytes_ = 0;
  bool watching_idle_ = false;
  bool reading_ = false;
  bool finishing_ = false;
  std::error_code why_;  // why no more shouts come
  std::chrono::steady_clock::time_point idle_deadline_;
  asio::cancellation_signal stop_reading_;
  asio::steady_timer changed_;  // never expires: cancelled to wake whoever waits for a change
  std::optional<asio::steady_timer> idle_;  // with -idle-timeout only
};

}  // namespace gonet
