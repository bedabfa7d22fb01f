#pragma once

#include <cstddef>
#include <string_view>

namespace gonet {

// Columns on a terminal, as the C library's wcwidth(3) counts them under a UTF-8 locale (C.UTF-8,
// whatever the user's is, so that a table lays out the same everywhere): East Asian wide and
// emoji 2, combining marks and zero-width characters 0, others 1. For text already made safe to
// show (cell_text): a byte that is not UTF-8 counts 1.
std::size_t display_width(std::string_view text);

// The width of one code point: -1 for one a terminal cannot show (controls, unassigned).
int rune_width(char32_t rune);

// How many bytes of `text` fit in `columns`: whole characters only, and a combining mark or other
// zero-width character is never parted from the character before it.
std::size_t bytes_within(std::string_view text, std::size_t columns);

}  // namespace gonet
