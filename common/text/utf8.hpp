#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace gonet::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

struct Rune {
  char32_t value;     // kReplacement for a byte that starts no valid sequence
  std::size_t width;  // bytes taken: 1 for an invalid byte, so each becomes its own U+FFFD
  bool valid;
};

// The rune at `at` (< text.size()), as Go's utf8.DecodeRune reads it: overlongs, surrogates and
// code points past U+10FFFF are invalid.
Rune decode(std::string_view text, std::size_t at);

// Appends the UTF-8 encoding of a valid code point.
void encode(char32_t rune, std::string& out);

}  // namespace gonet::utf8
