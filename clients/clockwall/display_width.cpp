#include "clients/clockwall/display_width.hpp"

#include <algorithm>
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

constexpr char32_t kEmojiPresentation = 0xFE0F;  // VS16

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

// An escape as cell_text() writes one, "\xHH", at `at`: four columns that a cut keeps whole.
bool escape_at(std::string_view text, std::size_t at) {
  return at + 4 <= text.size() && text[at] == '\\' && text[at + 1] == 'x' && is_hex(text[at + 2]) &&
         is_hex(text[at + 3]);
}

// The width of the character at `at` with the zero-width ones after it; `at` moves past them.
// A character followed by VS16 is drawn as an emoji, two columns wide.
// An escape is four characters, the last of which may carry zero-width ones: a clock's own text
// can look like an escape, and "\x10" with VS16 after it is drawn five columns wide.
std::size_t next_cluster(std::string_view text, std::size_t& at) {
  std::size_t before = 0;  // columns of an escape's first three characters
  int width = 0;
  if (escape_at(text, at)) {
    before = 3;
    width = 1;
    at += 4;
  } else {
    const utf8::Rune first = utf8::decode(text, at);
    at += first.width;
    width = first.valid ? width_here(first.value) : 1;
  }
  while (at < text.size()) {
    const utf8::Rune next = utf8::decode(text, at);
    if (!next.valid || width_here(next.value) != 0) break;
    if (next.value == kEmojiPresentation) width = std::max(width, 2);
    at += next.width;
  }
  return before + (width < 0 ? 1 : static_cast<std::size_t>(width));
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

std::size_t bytes_within(std::string_view text, std::size_t columns, std::size_t max_bytes) {
  const InUtf8 in_utf8;
  std::size_t width = 0;
  std::size_t fits = 0;
  for (std::size_t at = 0; at < text.size();) {
    width += next_cluster(text, at);
    if (width > columns || at > max_bytes) break;
    fits = at;
  }
  return fits;
}

std::string cut_to(std::string_view text, std::size_t columns) {
  const std::size_t max_bytes = kMaxBytesPerColumn * columns;
  if (text.size() <= max_bytes && display_width(text) <= columns) return std::string(text);
  if (columns == 0) return {};
  // Room for the "…": a column, three bytes.
  std::string cut(text.substr(0, bytes_within(text, columns - 1, max_bytes - kCut.size())));
  return cut.append(kCut);
}

}  // namespace gonet
