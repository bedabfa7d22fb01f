// What a terminal shows after a program's bytes: enough of a VT100 to check a program that draws
// in place. Printable characters (UTF-8; East Asian wide ones take two columns, combining marks
// none, as glibc's wcwidth says) with xterm's line wrap (a character in the last column leaves
// the cursor there, and the next one wraps first; a wide one that would not fit wraps), \r, \n,
// and the CSI
// sequences the suite's programs use: cursor up (A), erase in line (K) and erase below (J).
// Other control bytes and sequences are skipped. The screen has no height: nothing scrolls away,
// every line ever written is kept, so a test can count them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace testsupport {

class Screen {
 public:
  explicit Screen(std::size_t columns) : columns_(columns) {}

  void feed(std::string_view bytes);
  // A narrower or wider window, as xterm takes it: lines are cut, never rewrapped.
  void resize(std::size_t columns);

  // Each line as text, trailing blanks dropped; no empty lines after the last written one.
  std::vector<std::string> lines() const;
  std::size_t cursor_line() const { return row_; }

 private:
  using Line = std::vector<std::string>;  // a character per column; "" the right half of a wide one
  void put(std::string character);
  void csi(char final_byte, int count);
  Line& line_at(std::size_t row);

  std::size_t columns_;
  std::vector<Line> lines_;
  std::size_t row_ = 0;
  std::size_t column_ = 0;
  bool wrap_pending_ = false;
  std::string pending_;  // an unfinished UTF-8 character or escape sequence
};

// The columns `text` takes on such a screen.
std::size_t columns_of(std::string_view text);

}  // namespace testsupport
