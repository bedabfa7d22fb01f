#include "common/text/terminal_safe.hpp"

#include "common/text/utf8.hpp"

namespace gonet {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// A printable ASCII byte, or tab: the bytes of ordinary text, copied as they are.
bool is_plain(unsigned char byte) { return (byte >= 0x20 && byte < 0x7F) || byte == '\t'; }

void append_byte_escape(unsigned char byte, std::string& out) {
  switch (byte) {
    case '\a':
      out += "\\a";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\v':
      out += "\\v";
      return;
    default:
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
  }
}

void append_rune_escape(char32_t rune, std::string& out) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(rune >> shift) & 0xF];
}

}  // namespace

bool is_bidi_control(char32_t rune) {
  return rune == 0x061C || rune == 0x200E || rune == 0x200F || (rune >= 0x202A && rune <= 0x202E) ||
         (rune >= 0x2066 && rune <= 0x2069);
}

void append_terminal_safe(std::string_view text, std::string& out) {
  std::size_t at = 0;
  while (at < text.size()) {
    // Runs of ordinary ASCII go in one append.
    std::size_t plain = at;
    while (plain < text.size() && is_plain(static_cast<unsigned char>(text[plain]))) ++plain;
    out.append(text.substr(at, plain - at));
    at = plain;
    if (at == text.size()) break;
    const auto byte = static_cast<unsigned char>(text[at]);
    if (byte < 0x80) {
      append_byte_escape(byte, out);
      ++at;
      continue;
    }
    const utf8::Rune rune = utf8::decode(text, at);
    if (!rune.valid) {
      append_byte_escape(byte, out);
    } else if (rune.value < 0xA0 || is_bidi_control(rune.value)) {
      append_rune_escape(rune.value, out);
    } else {
      out.append(text.substr(at, rune.width));
    }
    at += rune.width;
  }
}

}  // namespace gonet
