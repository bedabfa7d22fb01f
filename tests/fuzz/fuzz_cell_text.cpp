// cell_text on a clock's line (issues 22 and 30): valid UTF-8 out with nothing a terminal obeys,
// at most 40 columns as wcwidth counts them (a character followed by VS16 two) and 4 bytes a
// column, at most two combining marks on a character; a line that needs nothing escaped and fits
// shown unchanged, and a cut one a start of the line that ends at a whole character, never before
// a combining mark or other zero-width character of it.
#include <algorithm>
#include <clocale>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cwchar>
#include <string>
#include <string_view>
#include <vector>

#include "clients/clockwall/cell_text.hpp"
#include "tests/fuzz/utf8_reference.hpp"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_cell_text: %s\n", what);
    std::abort();
  }
}

bool obeyed_by_a_terminal(char32_t rune) {
  return rune < 0x20 || (rune >= 0x7F && rune < 0xA0) || rune == 0x061C || rune == 0x200E ||
         rune == 0x200F || (rune >= 0x202A && rune <= 0x202E) || (rune >= 0x2066 && rune <= 0x2069);
}

// The fuzzer's own count, from the C library directly: -1 for a rune it cannot show.
int width(char32_t rune) {
  static const locale_t utf8 = ::newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{});
  const locale_t before = ::uselocale(utf8);
  const int columns = ::wcwidth(static_cast<wchar_t>(rune));
  ::uselocale(before);
  return columns;
}

// Columns on screen of showable runes: a rune with the zero-width runes after it is one
// character, two columns wide if VS16 is among them.
std::size_t columns_of(const std::vector<reference::Rune>& runes) {
  std::size_t columns = 0;
  for (std::size_t i = 0; i < runes.size();) {
    int cluster = width(runes[i].value);
    for (++i; i < runes.size() && width(runes[i].value) == 0; ++i) {
      if (runes[i].value == 0xFE0F) cluster = std::max(cluster, 2);
    }
    columns += static_cast<std::size_t>(std::max(cluster, 0));
  }
  return columns;
}

// The most zero-width runes on one character; the first rune of a line is a character of its
// own whatever its width.
int most_marks(const std::vector<reference::Rune>& runes) {
  int most = 0;
  int marks = 0;
  for (std::size_t i = 1; i < runes.size(); ++i) {
    marks = width(runes[i].value) == 0 ? marks + 1 : 0;
    most = std::max(most, marks);
  }
  return most;
}

constexpr std::size_t kMaxBytes = 4 * gonet::CellText::kMaxCellWidth;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const gonet::CellText cell = gonet::cell_text(line);
  const auto shown = reference::decode_all(cell.shown);
  for (const auto& rune : shown) {
    check(!rune.bad, "not UTF-8 out");
    check(!obeyed_by_a_terminal(rune.value), "a control out");
    check(width(rune.value) >= 0, "a rune the terminal cannot show");
  }
  check(columns_of(shown) <= gonet::CellText::kMaxCellWidth, "wider than 40 columns");
  check(cell.shown.size() <= kMaxBytes, "more than 4 bytes a column");
  check(most_marks(shown) <= 2, "more than two marks on a character");

  const auto runes = reference::decode_all(line);
  bool plain = most_marks(runes) <= 2;  // nothing to escape
  for (const auto& rune : runes) {
    if (rune.bad || obeyed_by_a_terminal(rune.value) || width(rune.value) < 0) plain = false;
  }
  check(cell.text == (plain && !line.empty()), "text said wrongly");
  if (!plain) return 0;
  if (columns_of(runes) <= gonet::CellText::kMaxCellWidth && line.size() <= kMaxBytes) {
    check(cell.shown == line, "a line that fits changed");
    return 0;
  }
  const std::string_view more = "…";
  check(cell.shown.ends_with(more), "a cut line without its …");
  const std::string_view kept(cell.shown.data(), cell.shown.size() - more.size());
  check(line.starts_with(kept), "a cut line is not a start of the line");
  const auto next = reference::decode_all(line.substr(kept.size()));
  check(!next.empty() && width(next.front().value) > 0, "a cut inside a character's marks");
  return 0;
}
