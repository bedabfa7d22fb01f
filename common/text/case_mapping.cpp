#include "common/text/case_mapping.hpp"

#include <locale.h>
#include <wctype.h>

#include <cstddef>
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

template <bool Upper>
std::string map_case(std::string_view text) {
  const locale_t locale = utf8_locale();
  std::string out;
  out.reserve(text.size());

  std::size_t at = 0;
  while (at < text.size()) {
    // Lines are mostly ASCII; copying a whole run at once keeps them off the
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

    const utf8::Rune decoded = utf8::decode(text, at);
    at += decoded.width;
    const wint_t original = static_cast<wint_t>(decoded.value);
    const wint_t mapped = Upper ? towupper_l(original, locale) : towlower_l(original, locale);
    // Guard against a locale table handing back something that is not a scalar value,
    // which would make us emit invalid UTF-8.
    utf8::encode(static_cast<char32_t>(is_valid_rune(mapped) ? mapped : original), out);
  }
  return out;
}

}  // namespace

std::string to_upper(std::string_view text) { return map_case<true>(text); }

std::string to_lower(std::string_view text) { return map_case<false>(text); }

}  // namespace gonet
