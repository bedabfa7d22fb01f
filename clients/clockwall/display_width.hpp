#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gonet {

// Columns on a terminal, as the C library's wcwidth(3) counts them under a UTF-8 locale (C.UTF-8,
// whatever the user's is, so that a table lays out the same everywhere): East Asian wide and
// emoji 2, combining marks and zero-width characters 0, others 1; a character followed by VS16
// (U+FE0F, emoji presentation) 2, as terminals draw it. For text already made safe to show
// (cell_text): a byte that is not UTF-8 counts 1, and an escape "\xHH" is one unit of 4.
std::size_t display_width(std::string_view text);

// The width of one code point: -1 for one a terminal cannot show (controls, unassigned).
int rune_width(char32_t rune);

// How many bytes of `text` fit in `columns` and `max_bytes`: whole characters only, a combining
// mark or other zero-width character never parted from the character before it, and an escape
// never cut.
std::size_t bytes_within(std::string_view text, std::size_t columns,
                         std::size_t max_bytes = static_cast<std::size_t>(-1));

// What a line of the table may hold: at most this many bytes a column on screen, so that a row
// no wider than the terminal is no longer than 4 bytes a column either.
inline constexpr std::size_t kMaxBytesPerColumn = 4;
inline constexpr std::string_view kCut = "…";  // where text was cut

// `text` in at most `columns` columns and kMaxBytesPerColumn bytes a column, ending in "…" if
// anything was cut.
std::string cut_to(std::string_view text, std::size_t columns);

}  // namespace gonet
