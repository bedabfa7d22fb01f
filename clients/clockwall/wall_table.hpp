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

}  // namespace gonet
