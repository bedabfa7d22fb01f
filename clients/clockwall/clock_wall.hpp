#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/signal_set.hpp>

#include "clients/clockwall/log_above.hpp"
#include "clients/clockwall/wall_table.hpp"
#include "common/net/notifier.hpp"

namespace gonet {

// A WallTable on stdout: on a terminal redrawn in place at each change (kRedrawsPerSecond at
// most), as wide as the terminal lets it be, with log lines above it; otherwise a row per second.
class ClockWall {
 public:
  static constexpr int kRedrawsPerSecond = 10;

  ClockWall(const asio::any_io_executor& executor, std::vector<std::string> names, bool terminal);
  ~ClockWall();
  ClockWall(const ClockWall&) = delete;
  ClockWall& operator=(const ClockWall&) = delete;

  // Shows a line of the clock's as cell_text() makes it; only a line of text is an answer.
  void show(std::size_t column, std::string_view line);
  void show_down(std::size_t column);

  // Keeps printing until the program ends: on a terminal the row redrawn at each change, into a
  // pipe or a file a row just after every second boundary (the clocks tick at the boundary).
  asio::awaitable<void> print_rows();

  // Waits until every clock has answered or `timeout` has passed, prints the header and one row,
  // and returns the clocks that did not answer.
  asio::awaitable<std::vector<std::size_t>> print_once(std::chrono::nanoseconds timeout);

 private:
  asio::awaitable<void> draw_live();
  asio::awaitable<void> redraw_when_stale();
  asio::awaitable<void> redraw_when_resized(asio::signal_set& resized);
  asio::awaitable<void> print_each_second();
  void redraw();
  void write(std::string_view text);

  WallTable table_;
  bool terminal_;
  bool stale_ = false;  // a change not drawn yet
  std::vector<bool> answered_;
  Notifier changed_;
  std::optional<LogAbove> log_above_;  // while live, when stderr shows on the same terminal
};

}  // namespace gonet
