#pragma once

#include <string>
#include <string_view>

namespace gonet {

// Appends `text` to `out` with every part a terminal would obey written as Go's strconv.Quote
// writes it, without the quotes: C0 controls but tab (`\a \b \f \n \r \v`, else `\x1b`), DEL
// (`\x7f`), C1 controls (`\u009b`), the Unicode bidirectional controls (`\u202e`) and each byte
// of invalid UTF-8 (`\xff`). Everything else, tabs and backslashes included, passes unchanged,
// so ordinary text is byte-identical. A line one client sends to others cannot move their cursor,
// clear their screen or reverse what they read.
void append_terminal_safe(std::string_view text, std::string& out);

// The Unicode bidirectional controls (ALM, LRM, RLM, LRE to RLO, LRI to PDI): they show nothing
// but reorder what follows them on a terminal that honours them.
bool is_bidi_control(char32_t rune);

}  // namespace gonet
