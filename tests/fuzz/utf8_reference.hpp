// A UTF-8 decoder for the fuzzers, written apart from the code under test from the Unicode
// standard's table of well-formed sequences (3-7), as Go's utf8.DecodeRune reads them.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace reference {

constexpr char32_t kReplacement = 0xFFFD;

// A bad sequence is one U+FFFD for its first byte; `bad` says whether the result came from an
// invalid byte (U+FFFD itself is a valid code point).
struct Rune {
  char32_t value;
  bool bad;
};

inline std::vector<Rune> decode_all(std::string_view text) {
  std::vector<Rune> runes;
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned b0 = s[i];
    auto in = [&](std::size_t k, unsigned lo, unsigned hi) {
      return i + k < n && s[i + k] >= lo && s[i + k] <= hi;
    };
    if (b0 < 0x80) {
      runes.push_back({b0, false});
      i += 1;
      continue;
    }
    unsigned lo = 0x80;
    unsigned hi = 0xBF;
    std::size_t width = 0;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      width = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      width = 3;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      width = 4;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    }
    bool ok = width != 0 && in(1, lo, hi);
    for (std::size_t k = 2; ok && k < width; ++k) ok = in(k, 0x80, 0xBF);
    if (!ok) {
      runes.push_back({kReplacement, true});
      i += 1;
      continue;
    }
    char32_t value = b0 & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07);
    for (std::size_t k = 1; k < width; ++k) value = (value << 6) | (s[i + k] & 0x3F);
    runes.push_back({value, false});
    i += width;
  }
  return runes;
}

inline bool valid_utf8(std::string_view text) {
  for (const Rune& rune : decode_all(text)) {
    if (rune.bad) return false;
  }
  return true;
}

}  // namespace reference
