#include "common/case_mapping.hpp"

#include <locale.h>
#include <wctype.h>

#include <cstddef>
#include <stdexcept>

namespace gonet {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Created once: newlocale per echoed line would cost more than the mapping itself.
// Never freed, so it outlives every thread that might still be mapping at exit.
locale_t utf8_locale() {
  static const locale_t locale = [] {
    locale_t created = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
    if (created == locale_t{}) {
      throw std::runtime_error("case mapping needs the C.UTF-8 locale, which is missing");
    }
    return created;
  }();
  return locale;
}

struct Decoded {
  char32_t rune;
  std::size_t width;
};

// Mirrors Go's utf8.DecodeRune: the second byte's range is what rules out overlongs,
// surrogates and code points past U+10FFFF, and any failure consumes exactly one byte
// so each bad byte turns into its own U+FFFD.
Decoded decode(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  const Decoded invalid{kReplacement, 1};

  std::size_t width;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  char32_t rune;
  if (lead >= 0xC2 && lead <= 0xDF) {
    width = 2;
    rune = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    width = 3;
    rune = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    width = 4;
    rune = lead & 0x07;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return invalid;
  }

  if (text.size() - at < width) return invalid;
  if (byte(at + 1) < low || byte(at + 1) > high) return invalid;
  rune = (rune << 6) | (byte(at + 1) & 0x3F);
  for (std::size_t i = 2; i < width; ++i) {
    if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) return invalid;
    rune = (rune << 6) | (byte(at + i) & 0x3F);
  }
  return {rune, width};
}

void encode(char32_t rune, std::string& out) {
  char bytes[4];
  std::size_t width;
  if (rune < 0x80) {
    bytes[0] = static_cast<char>(rune);
    width = 1;
  } else if (rune < 0x800) {
    bytes[0] = static_cast<char>(0xC0 | (rune >> 6));
    bytes[1] = static_cast<char>(0x80 | (rune & 0x3F));
    width = 2;
  } else if (rune < 0x10000) {
    bytes[0] = static_cast<char>(0xE0 | (rune >> 12));
    bytes[1] = static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    bytes[2] = static_cast<char>(0x80 | (rune & 0x3F));
    width = 3;
  } else {
    bytes[0] = static_cast<char>(0xF0 | (rune >> 18));
    bytes[1] = static_cast<char>(0x80 | ((rune >> 12) & 0x3F));
    bytes[2] = static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    bytes[3] = static_cast<char>(0x80 | (rune & 0x3F));
    width = 4;
  }
  out.append(bytes, width);
}

bool is_valid_rune(wint_t rune) { return rune <= 0x10FFFF && !(rune >= 0xD800 && rune <= 0xDFFF); }

template <bool Upper>
std::string map_case(std::string_view text) {
  const locale_t locale = utf8_locale();
  std::string out;
  out.reserve(text.size());

  std::size_t at = 0;
  while (at < text.size()) {
    // Echoed lines are mostly ASCII; copying a whole run at once keeps them off the
    // locale tables and out of the decoder.
    const std::size_t run_start = at;
    while (at < text.size() && static_cast<unsigned char>(text[at]) < 0x80) ++at;
    if (at > run_start) {
      const std::size_t first = out.size();
      out.append(text, run_start, at - run_start);
      for (std::size_t i = first; i < out.size(); ++i) {
        char& c = out[i];
        if constexpr (Upper) {
          if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        } else {
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
      }
      continue;
    }

    const Decoded decoded = decode(text, at);
    at += decoded.width;
    const wint_t original = static_cast<wint_t>(decoded.rune);
    const wint_t mapped = Upper ? towupper_l(original, locale) : towlower_l(original, locale);
    // Guard against a locale table handing back something that is not a scalar value,
    // which would make us emit invalid UTF-8.
    encode(static_cast<char32_t>(is_valid_rune(mapped) ? mapped : original), out);
  }
  return out;
}

}  // namespace

std::string to_upper(std::string_view text) { return map_case<true>(text); }

std::string to_lower(std::string_view text) { return map_case<false>(text); }

}  // namespace gonet
