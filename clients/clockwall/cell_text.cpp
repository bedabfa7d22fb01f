#include "clients/clockwall/cell_text.hpp"

#include <spdlog/fmt/fmt.h>

#include "clients/clockwall/display_width.hpp"
#include "common/text/terminal_safe.hpp"
#include "common/text/utf8.hpp"

namespace gonet {

CellText cell_text(std::string_view line) {
  CellText cell{{}, !line.empty()};
  std::string safe;
  for (std::size_t at = 0; at < line.size();) {
    const utf8::Rune rune = utf8::decode(line, at);
    // A bidirectional control would rearrange the rest of the row, the other clocks' columns too.
    if (rune.valid && rune_width(rune.value) >= 0 && !is_bidi_control(rune.value)) {
      safe += line.substr(at, rune.width);
    } else {
      cell.text = false;
      for (std::size_t i = at; i < at + rune.width; ++i) {
        safe += fmt::format("\\x{:02X}", static_cast<unsigned char>(line[i]));
      }
    }
    at += rune.width;
  }
  if (display_width(safe) <= CellText::kMaxCellWidth) {
    cell.shown = std::move(safe);
  } else {
    // Room for the "…".
    cell.shown = safe.substr(0, bytes_within(safe, CellText::kMaxCellWidth - 1)) + "…";
  }
  return cell;
}

}  // namespace gonet
