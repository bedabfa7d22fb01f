#pragma once

#include <chrono>
#include <string>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include "common/net/connection.hpp"
#include "common/net/second_ticker.hpp"
#include "servers/clock/clock_face.hpp"
#include "servers/clock/clock_options.hpp"

namespace gonet {

// What every clock session of one event loop shares: one tick and one formatted line a second.
class Clock {
 public:
  Clock(const asio::any_io_executor& executor, const ClockOptions& options)
      : ticker_(executor), face_(options.format), write_timeout_(options.serve.write_timeout) {}

  SecondTicker& ticker() { return ticker_; }
  const std::string& line(std::chrono::sys_seconds second) { return face_.line(second); }
  std::chrono::nanoseconds write_timeout() const { return write_timeout_; }

 private:
  SecondTicker ticker_;
  ClockFace face_;
  std::chrono::nanoseconds write_timeout_;
};

// The book's handleConn: the time at once, then at every second boundary, until the client goes
// away or its write has been stuck for the write timeout. What the client sends is thrown away.
asio::awaitable<void> serve_clock(Connection conn, Clock& clock);

}  // namespace gonet
