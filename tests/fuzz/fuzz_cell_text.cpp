// cell_text on a clock's line (issue 22): valid UTF-8 out with nothing a terminal obeys, at most
// 40 columns as wcwidth counts them, a line that needs nothing escaped and fits shown unchanged,
// and a cut one a start of the line that ends at a whole character, never before a combining
// mark or other zero-width character of it.
#include <clocale>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cwchar>
#include <string>
#include <string_view>

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const gonet::CellText cell = gonet::cell_text(line);
  std::size_t columns = 0;
  for (const auto& rune : reference::decode_all(cell.shown)) {
    check(!rune.bad, "not UTF-8 out");
    check(!obeyed_by_a_terminal(rune.value), "a control out");
    check(width(rune.value) >= 0, "a rune the terminal cannot show");
    columns += static_cast<std::size_t>(width(rune.value));
  }
  check(columns <= gonet::CellText::kMaxCellWidth, "wider than 40 columns");

  bool plain = true;  // nothing to escape
  std::size_t line_columns = 0;
  for (const auto& rune : reference::decode_all(line)) {
    if (rune.bad || obeyed_by_a_terminal(rune.value) || width(rune.value) < 0) {
      plain = false;
      break;
    }
    line_columns += static_cast<std::size_t>(width(rune.value));
  }
  check(cell.text == (plain && !line.empty()), "text said wrongly");
  if (!plain) return 0;
  if (line_columns <= gonet::CellText::kMaxCellWidth) {
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
