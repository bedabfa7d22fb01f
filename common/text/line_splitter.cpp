#include "common/text/line_splitter.hpp"

#include <algorithm>
#include <cstring>

namespace gonet {
namespace {

constexpr std::size_t kFirstBuffer = 256;
constexpr std::size_t kMinRead = 128;

std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

std::span<char> LineSplitter::space() {
  // Move the unreturned bytes to the front once the returned ones are most of the buffer, or
  // the room left behind them is too small to read into.
  if (begin_ > 0 &&
      (begin_ == end_ || begin_ >= buffer_.size() / 2 || buffer_.size() - end_ < kMinRead)) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  // A line of max_line bytes needs room for its "\r\n"; no more is ever needed.
  const std::size_t limit = max_line_ + 2;
  if (buffer_.size() - end_ < kMinRead && buffer_.size() < limit) {
    const std::size_t grown = std::max(kFirstBuffer, buffer_.size() * 2);
    buffer_.resize(std::min(grown, limit));
  }
  return {buffer_.data() + end_, buffer_.size() - end_};
}

LineSplitter::Status LineSplitter::next(std::string_view& line) {
  const char* from = buffer_.data() + begin_ + scanned_;
  const auto* newline = static_cast<const char*>(std::memchr(from, '\n', end_ - begin_ - scanned_));
  if (newline == nullptr) {
    scanned_ = end_ - begin_;
    // Over the limit once more than max_line bytes wait, not counting a "\r" that may end it.
    std::size_t waiting = scanned_;
    if (waiting > 0 && buffer_[end_ - 1] == '\r') --waiting;
    return waiting > max_line_ ? Status::too_long : Status::need_more;
  }
  const std::size_t length = static_cast<std::size_t>(newline - (buffer_.data() + begin_));
  line = without_cr(std::string_view(buffer_.data() + begin_, length));
  if (line.size() > max_line_) return Status::too_long;
  begin_ += length + 1;
  scanned_ = 0;
  return Status::line;
}

std::optional<std::string_view> LineSplitter::rest_at_eof() {
  if (begin_ == end_) return std::nullopt;
  const std::string_view rest(buffer_.data() + begin_, end_ - begin_);
  begin_ = end_;
  scanned_ = 0;
  return without_cr(rest);
}

}  // namespace gonet
