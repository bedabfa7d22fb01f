#include "clients/clockwall/display_width.hpp"

#include <clocale>
#include <cwchar>

#include "common/text/utf8.hpp"

namespace gonet {
namespace {

// The locale wcwidth() reads its table from, set for this thread only around each call.
// glibc builds C.UTF-8 in; without it, every printable character counts 1, as a terminal in a
// locale that is not UTF-8 would count it.
locale_t utf8_locale() {
  static const locale_t locale = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
  return locale;
}

class InUtf8 {
 public:
  InUtf8() : before_(utf8_locale() ? ::uselocale(utf8_locale()) : locale_t{}) {}
  ~InUtf8() {
    if (before_) ::uselocale(before_);
  }
  InUtf8(const InUtf8&) = delete;
  InUtf8& operator=(const InUtf8&) = delete;

 private:
  locale_t before_;
};

int width_here(char32_t rune) {
  if (rune < 0x20 || (rune >= 0x7F && rune < 0xA0)) return -1;
  if (!utf8_locale()) return 1;
  return ::wcwidth(static_cast<wchar_t>(rune));
}

// The width of the character at `at` with the zero-width ones after it; `at` moves past them.
std::size_t next_cluster(std::string_view text, std::size_t& at) {
  const utf8::Rune first = utf8::decode(text, at);
  at += first.width;
  const int width = first.valid ? width_here(first.value) : 1;
  while (at < text.size()) {
    const utf8::Rune next = utf8::decode(text, at);
    if (!next.valid || width_here(next.value) != 0) break;
    at += next.width;
  }
  return width < 0 ? 1 : static_cast<std::size_t>(width);
}

}  // namespace

int rune_width(char32_t rune) {
  const InUtf8 in_utf8;
  return width_here(rune);
}

std::size_t display_width(std::string_view text) {
  const InUtf8 in_utf8;
  std::size_t width = 0;
  for (std::size_t at = 0; at < text.size();) width += next_cluster(text, at);
  return width;
}

std::size_t bytes_within(std::string_view text, std::size_t columns) {
  const InUtf8 in_utf8;
  std::size_t width = 0;
  std::size_t fits = 0;
  for (std::size_t at = 0; at < text.size();) {
    width += next_cluster(text, at);
    if (width > columns) break;
    fits = at;
  }
  return fits;
}

}  // namespace gonet
