#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include <asio/awaitable.hpp>

#include "clients/clockwall/clock_wall.hpp"
#include "clients/clockwall/clockwall_options.hpp"
#include "common/tls/conn.hpp"
#include "common/tls/dialer.hpp"

namespace gonet {

// One clock's column: connect and show its times; when it cannot be reached, goes away, falls
// silent or floods, show it down and try again after 1s, 2s, 4s... up to 30s, while the other
// columns go on. An outage is announced on stderr once, with its first reason, and so is the
// clock's return.
class Watch {
 public:
  // A clock ticks once a second; one that sends more than this is flooding.
  static constexpr int kMaxLinesPerSecond = 20;

  // `announce`: log outages and returns (not with -once, whose verdict is its one line).
  // `dialer`: TCP or TLS, shared by every column.
  Watch(ClockWall& wall, Dialer& dialer, std::size_t column, WallClock clock, bool announce)
      : wall_(wall),
        dialer_(dialer),
        column_(column),
        clock_(std::move(clock)),
        announce_(announce) {}
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;

  // Runs until the program ends.
  asio::awaitable<void> run();

  // Why the clock is down, in the words the live wall logs ("connect HOST:PORT: connection
  // refused"); empty while it is up or has not answered yet.
  const std::string& why_down() const { return why_down_; }

 private:
  asio::awaitable<std::string> show_times(Conn& conn);
  void went_down(std::string_view why);
  void came_back();

  ClockWall& wall_;
  Dialer& dialer_;
  std::size_t column_;
  WallClock clock_;
  bool announce_;
  bool down_ = false;
  std::string why_down_;
  bool flooding_ = false;  // its last outage was a flood
  std::chrono::seconds retry_ = std::chrono::seconds(1);
};

}  // namespace gonet
