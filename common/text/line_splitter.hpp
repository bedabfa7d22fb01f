#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gonet {

// Go's bufio.Scanner with ScanLines, without the reading: bytes go in through space() and
// commit(), lines come out of next(). A line ends at "\n", loses one "\r" before it, may be
// empty, and may be the unterminated rest at EOF.
class LineSplitter {
 public:
  enum class Status { line, need_more, too_long };

  explicit LineSplitter(std::size_t max_line) : max_line_(max_line) {}

  std::size_t max_line() const { return max_line_; }
  // Bytes the buffer holds: as long as the longest line so far needed, never less.
  std::size_t buffer_size() const { return buffer_.size(); }

  // Where the next read should put its bytes: never empty unless a line is too long.
  std::span<char> space();
  void commit(std::size_t n) { end_ += n; }

  // The next complete line, valid until the next call of space(). too_long means more than
  // max_line bytes came without a "\n"; the splitter is then done.
  Status next(std::string_view& line);

  // At EOF: the last line, if bytes came after the last "\n".
  std::optional<std::string_view> rest_at_eof();

 private:
  std::size_t max_line_;
  std::string buffer_;
  std::size_t begin_ = 0;    // first byte not yet returned
  std::size_t scanned_ = 0;  // bytes from begin_ known to hold no "\n"
  std::size_t end_ = 0;      // bytes in buffer_ that hold data
};

}  // namespace gonet
