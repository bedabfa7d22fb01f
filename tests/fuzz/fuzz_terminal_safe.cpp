// append_terminal_safe on arbitrary bytes: valid UTF-8 out with nothing a terminal obeys (no C0
// control but tab, no DEL, no C1 control, no bidirectional control), safe text unchanged, the
// escaping idempotent, and, for input without backslashes, undone exactly by reading the escapes
// back as Go's strconv.Unquote would.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "common/text/terminal_safe.hpp"
#include "tests/fuzz/utf8_reference.hpp"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_terminal_safe: %s\n", what);
    std::abort();
  }
}

bool obeyed_by_a_terminal(char32_t rune) {
  return (rune < 0x20 && rune != '\t') || (rune >= 0x7F && rune < 0xA0) || rune == 0x061C ||
         rune == 0x200E || rune == 0x200F || (rune >= 0x202A && rune <= 0x202E) ||
         (rune >= 0x2066 && rune <= 0x2069);
}

bool safe(std::string_view text) {
  for (const auto& rune : reference::decode_all(text)) {
    if (rune.bad || obeyed_by_a_terminal(rune.value)) return false;
  }
  return true;
}

std::string escaped(std::string_view text) {
  std::string out;
  gonet::append_terminal_safe(text, out);
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::optional<unsigned> hex(std::string_view digits) {
  unsigned value = 0;
  for (const char c : digits) {
    const int d = hex_digit(c);
    if (d < 0) return std::nullopt;
    value = value * 16 + static_cast<unsigned>(d);
  }
  return value;
}

void append_utf8(char32_t rune, std::string& out) {
  if (rune < 0x80) {
    out += static_cast<char>(rune);
  } else if (rune < 0x800) {
    out += static_cast<char>(0xC0 | (rune >> 6));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (rune >> 12));
    out += static_cast<char>(0x80 | ((rune >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (rune & 0x3F));
  }
}

// The escapes read back; nullopt for a backslash that starts none.
std::optional<std::string> unescaped(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    switch (text[i]) {
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x': {
        const auto byte = hex(text.substr(i + 1, 2));
        if (!byte || i + 2 >= text.size()) return std::nullopt;
        out += static_cast<char>(*byte);
        i += 2;
        break;
      }
      case 'u': {
        const auto rune = hex(text.substr(i + 1, 4));
        if (!rune || i + 4 >= text.size()) return std::nullopt;
        append_utf8(*rune, out);
        i += 4;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string out = escaped(input);
  check(safe(out), "the output holds something a terminal obeys, or invalid UTF-8");
  check(escaped(out) == out, "escaping twice differs from escaping once");
  if (safe(input)) check(out == input, "safe text was changed");
  if (input.find('\\') == std::string_view::npos) {
    check(unescaped(out) == std::string(input), "the escapes do not read back as the input");
  }
  return 0;
}
