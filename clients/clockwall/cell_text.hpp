#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gonet {

// What a clock's line shows in its column. A clock is a remote party: its control characters
// (C0, DEL, C1), bidirectional controls, characters a terminal cannot show, bytes that are not
// UTF-8 and combining marks past two on one character are shown escaped as \xHH, never sent to
// the terminal, and a line is cut to kMaxCellWidth columns on screen (display_width) and 4 bytes
// a column, ending in "…", never inside an escape. `text` is false when anything
// had to be escaped, or the line is empty: such a line is no answer.
struct CellText {
  static constexpr std::size_t kMaxCellWidth = 40;
  std::string shown;
  bool text;
};
CellText cell_text(std::string_view line);

}  // namespace gonet
