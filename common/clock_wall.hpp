#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gonet {

// The text of a clock wall: a header of names and a row of the latest time of each clock, each
// column as wide as its name or the widest text it has shown, whichever is wider. Only text, so
// that layout and rendering can be tested without a terminal.
class WallTable {
 public:
  static constexpr std::string_view kDown = "down";
  static constexpr std::string_view kWaiting = "-";

  explicit WallTable(std::vector<std::string> names);

  void set(std::size_t column, std::string_view text);
  const std::string& cell(std::size_t column) const { return cells_[column]; }
  std::size_t size() const { return names_.size(); }

  std::string header() const { return line(names_); }
  std::string row() const { return line(cells_); }

  // Into a pipe or a file: one whole row a line, after a header whenever the columns changed.
  std::string plain_rows();
  // On a terminal: the header once, then the row redrawn in place (header too if the columns
  // changed), without scrolling. terminal_end() leaves the cursor on a fresh line.
  std::string terminal_redraw();
  std::string terminal_end() const { return drawn_ ? "\n" : ""; }

 private:
  std::string line(const std::vector<std::string>& texts) const;

  std::vector<std::string> names_;
  std::vector<std::string> cells_;
  std::vector<std::size_t> widths_;
  bool drawn_ = false;
  bool widened_ = false;
};

// What a clock's line shows in its column. A clock is a remote party: its control characters
// (C0, DEL, C1) and bytes that are not UTF-8 are shown escaped as \xHH, never sent to the
// terminal, and a line is cut to kMaxCellWidth columns, ending in "…". `text` is false when
// anything had to be escaped, or the line is empty: such a line is no answer.
struct CellText {
  static constexpr std::size_t kMaxCellWidth = 40;
  std::string shown;
  bool text;
};
CellText cell_text(std::string_view line);

// A WallTable on stdout: on a terminal redrawn at each change, otherwise a row per second.
class ClockWall {
 public:
  ClockWall(const asio::any_io_executor& executor, std::vector<std::string> names, bool terminal);
  ~ClockWall();
  ClockWall(const ClockWall&) = delete;
  ClockWall& operator=(const ClockWall&) = delete;

  // Shows a line of the clock's as cell_text() makes it; only a line of text is an answer.
  void show(std::size_t column, std::string_view line);
  void show_down(std::size_t column);

  // Keeps printing until cancelled: a row just after every second boundary into a pipe or a file
  // (the clocks tick at the boundary); on a terminal, show() has already drawn everything.
  asio::awaitable<void> print_rows();

  // Waits until every clock has answered or `timeout` has passed, prints the header and one row,
  // and returns the clocks that did not answer.
  asio::awaitable<std::vector<std::size_t>> print_once(std::chrono::nanoseconds timeout);

 private:
  void write(std::string_view text);

  WallTable table_;
  bool terminal_;
  bool live_ = false;  // drawing as changes come (a terminal, not -once)
  std::vector<bool> answered_;
  asio::steady_timer changed_;  // never expires: cancelled at each change
};

}  // namespace gonet
