#include "tests/support/screen.hpp"

#include <algorithm>
#include <clocale>
#include <cstdlib>
#include <cwchar>
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

// Columns a character takes, as glibc's C.UTF-8 counts them (what a terminal on this system
// does): 2 for East Asian wide, 0 for combining marks; 1 if it cannot say.
int columns_of_character(std::string_view character) {
  static const locale_t utf8 = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
  if (utf8 == locale_t{}) return 1;
  const locale_t before = ::uselocale(utf8);
  std::mbstate_t state{};
  wchar_t wide = 0;
  const std::size_t n = std::mbrtowc(&wide, character.data(), character.size(), &state);
  const int width = n == 0 || n > character.size() ? 1 : ::wcwidth(wide);
  ::uselocale(before);
  return width < 0 ? 1 : width;
}

}  // namespace

Screen::Line& Screen::line_at(std::size_t row) {
  if (lines_.size() <= row) lines_.resize(row + 1);
  Line& line = lines_[row];
  if (line.size() < columns_) line.resize(columns_, " ");
  return line;
}

void Screen::put(std::string character) {
  const int width = columns_of_character(character);
  if (width == 0) {
    // A combining mark joins the character before it, as xterm keeps it in that cell.
    Line& line = line_at(row_);
    std::size_t at = wrap_pending_ || column_ == 0 ? column_ : column_ - 1;
    if (line[at].empty() && at > 0) --at;  // the right half of a wide character
    line[at] += character;
    return;
  }
  if (wrap_pending_ || (width == 2 && column_ + 1 >= columns_)) {
    // xterm wraps before a wide character that would not fit in the last column.
    ++row_;
    column_ = 0;
    wrap_pending_ = false;
  }
  Line& line = line_at(row_);
  // What this covers of a wide character goes, and its other half with it.
  const auto overwrite = [&](std::size_t at) {
    if (line[at].empty() && at > 0) line[at - 1] = " ";
    if (at + 1 < columns_ && line[at + 1].empty()) line[at + 1] = " ";
  };
  overwrite(column_);
  line[column_] = std::move(character);
  if (width == 2 && column_ + 1 < columns_) {
    overwrite(column_ + 1);
    line[column_ + 1] = "";  // its right half
  }
  const auto step = static_cast<std::size_t>(width);
  if (column_ + step < columns_) {
    column_ += step;
  } else {
    column_ = columns_ - 1;
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

std::size_t columns_of(std::string_view text) {
  std::size_t columns = 0;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length =
        std::min(utf8_length(static_cast<unsigned char>(text[at])), text.size() - at);
    columns += static_cast<std::size_t>(columns_of_character(text.substr(at, length)));
    at += length;
  }
  return columns;
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
