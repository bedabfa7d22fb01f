#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "common/net/second_ticker.hpp"
#include "servers/clock/clock_face.hpp"
#include "servers/clock/clock_options.hpp"

namespace gonet {

class ClockClient;

// What every clock session of one event loop shares: one timer, one formatted line a second,
// and the writing of that line to every client in one pass at the second boundary, rather than a
// wait and a wake per client: a tick costs one system call per client and little else.
// A handle: copies share the clock, which lives as long as any of them (when an event loop is
// destroyed, the sessions' frames may go after the accept loop's).
class Clock {
 public:
  Clock(const asio::any_io_executor& executor, const ClockOptions& options);

  // The line of `second`, formatted once however many clients ask.
  const std::string& line(std::chrono::sys_seconds second) { return state_->face.line(second); }
  std::chrono::nanoseconds write_timeout() const { return state_->write_timeout; }

 private:
  friend class ClockClient;
  struct State {
    State(const asio::any_io_executor& executor, const ClockOptions& options)
        : ticker(executor), face(options.format), write_timeout(options.serve.write_timeout) {}
    SecondTicker ticker;
    ClockFace face;
    std::chrono::nanoseconds write_timeout;
    std::vector<ClockClient*> clients;  // written to at each tick
    bool ticking = false;
  };
  static asio::awaitable<void> tick(std::shared_ptr<State> state);

  std::shared_ptr<State> state_;
};

// A clock's client as the clock sees it: the socket each tick is written to, and what a write
// left for the client's session: the rest of a line the socket could not take at once, or the
// error the write met. It lives in the session's frame.
class ClockClient {
 public:
  ClockClient(asio::ip::tcp::socket& socket, Clock clock)
      : socket_(socket), clock_(std::move(clock)) {}
  ClockClient(const ClockClient&) = delete;
  ClockClient& operator=(const ClockClient&) = delete;
  ~ClockClient() { leave(); }

  // Writes the time of `second` without waiting. False when the socket did not take all of it:
  // then rest() or error() says what is left, the client is off the clock's list, and the
  // session's wait on the socket is cancelled, so that it finishes the write or ends.
  bool write(std::chrono::sys_seconds second);

  // From the next second boundary on, each tick is written here, until a write leaves something
  // behind. Joining twice is harmless.
  void join();

  const std::string& rest() const { return rest_; }
  void caught_up() { rest_.clear(); }
  const std::error_code& error() const { return error_; }

 private:
  friend class Clock;
  void leave();

  asio::ip::tcp::socket& socket_;
  Clock clock_;
  std::chrono::sys_seconds shown_ = std::chrono::sys_seconds::min();
  std::string rest_;
  std::error_code error_;
  static constexpr std::size_t kAway = static_cast<std::size_t>(-1);
  std::size_t index_ = kAway;  // its place in the clock's list
};

}  // namespace gonet
