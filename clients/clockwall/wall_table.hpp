#pragma once

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
  // Ends the header and the row when columns are left out: there are more clocks than shown.
  static constexpr std::string_view kMore = "…";

  explicit WallTable(std::vector<std::string> names);

  void set(std::size_t column, std::string_view text);
  const std::string& cell(std::size_t column) const { return cells_[column]; }
  std::size_t size() const { return names_.size(); }

  std::string header() const { return line(names_, size()); }
  std::string row() const { return line(cells_, size()); }

  // Into a pipe or a file: one whole row a line, after a header whenever the columns changed.
  std::string plain_rows();

  // On a terminal `columns` wide (0: unknown, no limit): the header once, then the row redrawn
  // in place (the header too when it changed), without scrolling. A row wider than the terminal
  // would wrap and scroll the header away, so it keeps the columns that fit, then "…" (a single
  // column too wide is cut), and the last column of the screen stays empty (a character there
  // leaves the cursor waiting to wrap, where erasing to the end of the line goes wrong).
  std::string terminal_redraw(std::size_t columns = 0);
  // Takes the table off the screen, the cursor left where the header began, so that a log line
  // can go there; the next terminal_redraw() draws the table anew under it.
  std::string terminal_clear();
  // Leaves the cursor on a fresh line under the table.
  std::string terminal_end() const { return drawn_ ? "\n" : ""; }

 private:
  // The first `shown` columns of `texts`, then kMore if that is not all of them.
  std::string line(const std::vector<std::string>& texts, std::size_t shown) const;
  // How many columns fit in `room` screen columns, kMore included; at least one.
  std::size_t columns_that_fit(std::size_t room) const;

  std::vector<std::string> names_;
  std::vector<std::string> cells_;
  std::vector<std::size_t> widths_;
  bool drawn_ = false;
  bool widened_ = false;
  std::string drawn_header_;  // on a terminal: the header on the screen
};

}  // namespace gonet
