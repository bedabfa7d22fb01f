#include "common/text/case_mapping.hpp"

#include <locale.h>
#include <wctype.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "common/text/utf8.hpp"

namespace gonet {
namespace {

// Created once: newlocale per line would cost more than the mapping itself.
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

bool is_valid_rune(wint_t rune) { return rune <= 0x10FFFF && !(rune >= 0xD800 && rune <= 0xDFFF); }

constexpr std::uint64_t kEachByte = 0x0101010101010101U;

// The bits that switch the case of the letters among eight ASCII bytes: adding 0x80 - 'a' to a
// byte sets its top bit when it is 'a' or above, and no byte carries into the next one.
template <bool Upper>
std::uint64_t case_bits(std::uint64_t ascii) {
  constexpr std::uint64_t first = Upper ? 'a' : 'A';
  constexpr std::uint64_t last = Upper ? 'z' : 'Z';
  const std::uint64_t from_first = ascii + kEachByte * (0x80 - first);
  const std::uint64_t past_last = ascii + kEachByte * (0x80 - last - 1);
  return ((from_first & ~past_last) & kEachByte * 0x80) >> 2;
}

// Where the run of ASCII bytes that starts at `at` ends, eight bytes at a time: lines are mostly
// ASCII, and echoing a flood of long ones must not hold the loop for byte-by-byte work.
std::size_t ascii_run_end(std::string_view text, std::size_t at) {
  for (std::uint64_t word; at + sizeof word <= text.size(); at += sizeof word) {
    std::memcpy(&word, text.data() + at, sizeof word);
    if ((word & kEachByte * 0x80) != 0) break;
  }
  while (at < text.size() && static_cast<unsigned char>(text[at]) < 0x80) ++at;
  return at;
}

// Appends the ASCII `run` to `out` with its letters mapped, eight bytes at a time.
template <bool Upper>
void append_ascii(std::string_view run, std::string& out) {
  const std::size_t first = out.size();
  out.append(run);
  char* to = out.data() + first;
  std::size_t at = 0;
  for (std::uint64_t word; at + sizeof word <= run.size(); at += sizeof word) {
    std::memcpy(&word, to + at, sizeof word);
    word ^= case_bits<Upper>(word);
    std::memcpy(to + at, &word, sizeof word);
  }
  for (; at < run.size(); ++at) {
    const auto byte = static_cast<unsigned char>(to[at]);
    to[at] = static_cast<char>(byte ^ case_bits<Upper>(byte));
  }
}

template <bool Upper>
void append_case(std::string_view text, std::string& out) {
  const locale_t locale = utf8_locale();
  out.reserve(out.size() + text.size());

  std::size_t at = 0;
  while (at < text.size()) {
    if (const std::size_t run_end = ascii_run_end(text, at); run_end > at) {
      append_ascii<Upper>(text.substr(at, run_end - at), out);
      at = run_end;
      continue;
    }

    const utf8::Rune decoded = utf8::decode(text, at);
    at += decoded.width;
    const wint_t original = static_cast<wint_t>(decoded.value);
    const wint_t mapped = Upper ? towupper_l(original, locale) : towlower_l(original, locale);
    // Guard against a locale table handing back something that is not a scalar value,
    // which would make us emit invalid UTF-8.
    utf8::encode(static_cast<char32_t>(is_valid_rune(mapped) ? mapped : original), out);
  }
}

}  // namespace

void append_upper(std::string_view text, std::string& out) { append_case<true>(text, out); }

void append_lower(std::string_view text, std::string& out) { append_case<false>(text, out); }

std::string to_upper(std::string_view text) {
  std::string out;
  append_upper(text, out);
  return out;
}

std::string to_lower(std::string_view text) {
  std::string out;
  append_lower(text, out);
  return out;
}

}  // namespace gonet
