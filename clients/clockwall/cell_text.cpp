#include "clients/clockwall/cell_text.hpp"

#include <spdlog/fmt/fmt.h>

#include "common/text/utf8.hpp"

namespace gonet {
namespace {

bool is_control(char32_t rune) { return rune < 0x20 || (rune >= 0x7F && rune < 0xA0); }

}  // namespace

CellText cell_text(std::string_view line) {
  CellText cell{{}, !line.empty()};
  std::size_t width = 0;
  for (std::size_t at = 0; at < line.size();) {
    const utf8::Rune rune = utf8::decode(line, at);
    std::string piece;
    std::size_t piece_width = 1;
    if (rune.valid && !is_control(rune.value)) {
      piece = line.substr(at, rune.width);
    } else {
      cell.text = false;
      for (std::size_t i = at; i < at + rune.width; ++i) {
        piece += fmt::format("\\x{:02X}", static_cast<unsigned char>(line[i]));
      }
      piece_width = piece.size();
    }
    // Room for the "…" unless this is the end of the line.
    const bool last = at + rune.width == line.size();
    if (width + piece_width > CellText::kMaxCellWidth - (last ? 0 : 1)) {
      cell.shown += "…";
      break;
    }
    cell.shown += piece;
    width += piece_width;
    at += rune.width;
  }
  return cell;
}

}  // namespace gonet
