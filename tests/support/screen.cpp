#include "tests/support/screen.hpp"

#include <algorithm>
#include <cstdlib>
#include <utility>

namespace testsupport {
namespace {

std::size_t utf8_length(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// Whether `sequence` (from its ESC on) is complete: a CSI at its final byte, an OSC at its BEL or
// ST, ESC and intermediates at the byte after them.
bool escape_ends(std::string_view sequence) {
  if (sequence.size() < 2) return false;
  const char last = sequence.back();
  switch (sequence[1]) {
    case '[':
      return sequence.size() > 2 && last >= 0x40 && last <= 0x7E;
    case ']':
      return last == '\x07' || sequence.ends_with("\x1b\\");
    default:
      return last < 0x20 || last > 0x2F;  // past the intermediate bytes
  }
}

}  // namespace

Screen::Line& Screen::line_at(std::size_t row) {
  if (lines_.size() <= row) lines_.resize(row + 1);
  Line& line = lines_[row];
  if (line.size() < columns_) line.resize(columns_, " ");
  return line;
}

void Screen::put(std::string character) {
  if (wrap_pending_) {
    ++row_;
    column_ = 0;
    wrap_pending_ = false;
  }
  line_at(row_)[column_] = std::move(character);
  if (column_ + 1 < columns_) {
    ++column_;
  } else {
    wrap_pending_ = true;
  }
}

void Screen::csi(char final_byte, int count) {
  switch (final_byte) {
    case 'A':
      row_ -= std::min<std::size_t>(row_, static_cast<std::size_t>(std::max(count, 1)));
      wrap_pending_ = false;
      break;
    case 'K': {
      Line& line = line_at(row_);
      std::fill(line.begin() + static_cast<std::ptrdiff_t>(column_), line.end(), " ");
      break;
    }
    case 'J':
      csi('K', 0);
      if (lines_.size() > row_ + 1) lines_.resize(row_ + 1);
      break;
    default:
      break;
  }
}

void Screen::feed(std::string_view bytes) {
  for (const char c : bytes) {
    if (!pending_.empty()) {
      pending_ += c;
      if (pending_[0] == '\x1b') {
        if (escape_ends(pending_)) {
          if (pending_[1] == '[') csi(c, std::atoi(pending_.c_str() + 2));
          pending_.clear();
        }
      } else if (pending_.size() == utf8_length(static_cast<unsigned char>(pending_[0]))) {
        put(std::exchange(pending_, {}));
      }
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\x1b' || byte >= 0xC0) {
      pending_ = c;
    } else if (c == '\r') {
      column_ = 0;
      wrap_pending_ = false;
    } else if (c == '\n') {
      ++row_;
      line_at(row_);
      wrap_pending_ = false;
    } else if (byte >= 0x20 && byte != 0x7F && byte < 0x80) {
      put(std::string(1, c));
    }
  }
}

void Screen::resize(std::size_t columns) {
  columns_ = columns;
  for (Line& line : lines_) line.resize(columns_, " ");
  column_ = std::min(column_, columns_ > 0 ? columns_ - 1 : 0);
  wrap_pending_ = false;
}

std::vector<std::string> Screen::lines() const {
  std::vector<std::string> out;
  for (const Line& line : lines_) {
    std::string text;
    for (const std::string& character : line) text += character;
    text.erase(text.find_last_not_of(' ') + 1);
    out.push_back(std::move(text));
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

}  // namespace testsupport
