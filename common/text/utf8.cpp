#include "common/text/utf8.hpp"

namespace gonet::utf8 {

// The second byte's range is what rules out overlongs, surrogates and code points past
// U+10FFFF, and any failure consumes exactly one byte.
Rune decode(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  const Rune invalid{kReplacement, 1, false};

  if (lead < 0x80) return {lead, 1, true};
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
  return {rune, width, true};
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

}  // namespace gonet::utf8
