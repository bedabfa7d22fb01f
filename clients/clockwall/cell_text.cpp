#include "clients/clockwall/cell_text.hpp"

#include <spdlog/fmt/fmt.h>

#include "clients/clockwall/display_width.hpp"
#include "common/text/terminal_safe.hpp"
#include "common/text/utf8.hpp"

namespace gonet {

namespace {

// Combining marks kept on one character; the rest are escaped. A terminal stacks every one of
// them in the character's one cell: a thousand are a row of kilobytes.
constexpr int kMostMarks = 2;

}  // namespace

CellText cell_text(std::string_view line) {
  CellText cell{{}, !line.empty()};
  std::string safe;
  int marks = 0;  // on the character before
  for (std::size_t at = 0; at < line.size();) {
    const utf8::Rune rune = utf8::decode(line, at);
    const int width = rune.valid ? rune_width(rune.value) : -1;
    const bool mark = width == 0 && !safe.empty();
    // A bidirectional control would rearrange the rest of the row, the other clocks' columns too.
    if (width >= 0 && !is_bidi_control(rune.value) && (!mark || marks < kMostMarks)) {
      safe += line.substr(at, rune.width);
      marks = mark ? marks + 1 : 0;
    } else {
      cell.text = false;
      for (std::size_t i = at; i < at + rune.width; ++i) {
        safe += fmt::format("\\x{:02X}", static_cast<unsigned char>(line[i]));
      }
      // Marks after an escape have no character of their own to sit on: escaped too.
      marks = kMostMarks;
    }
    at += rune.width;
  }
  cell.shown = cut_to(safe, CellText::kMaxCellWidth);
  return cell;
}

}  // namespace gonet
