#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "clients/clockwall/cell_text.hpp"
#include "clients/clockwall/display_width.hpp"
#include "clients/clockwall/log_above.hpp"
#include "clients/clockwall/wall_table.hpp"

namespace gonet {
namespace {

TEST(WallTable, MakesEachColumnAsWideAsItsNameOrItsTime) {
  WallTable table({"NewYork", "LA", "Zürich"});
  table.set(0, "12:00:00");
  table.set(1, "09:00:00");
  table.set(2, "18:00:00");
  // Two spaces between columns; a column is its name or "HH:MM:SS", whichever is wider.
  EXPECT_EQ(table.header(), "NewYork   LA        Zürich");
  EXPECT_EQ(table.row(), "12:00:00  09:00:00  18:00:00");
}

TEST(WallTable, WidensAColumnForALongerTimeAndRepeatsTheHeader) {
  WallTable table({"A", "B"});
  table.set(0, "12:00:00");
  table.set(1, "12:00:00");
  EXPECT_EQ(table.plain_rows(), "A         B\n12:00:00  12:00:00\n");
  table.set(0, "12:00:01");
  EXPECT_EQ(table.plain_rows(), "12:00:01  12:00:00\n");
  table.set(0, "2026-11-22 12:00:02");
  EXPECT_EQ(table.plain_rows(), "A                    B\n2026-11-22 12:00:02  12:00:00\n");
}

TEST(WallTable, ShowsWaitingAndDownClocks) {
  WallTable table({"Tokyo", "Mars"});
  EXPECT_EQ(table.row(), "-         -");
  table.set(0, "21:00:00");
  table.set(1, WallTable::kDown);
  EXPECT_EQ(table.row(), "21:00:00  down");
}

TEST(WallTable, RedrawsTheRowInPlaceOnATerminal) {
  WallTable table({"A", "B"});
  table.set(0, "12:00:00");
  EXPECT_EQ(table.terminal_redraw(), "A         B\n12:00:00  -\x1b[K");
  table.set(1, "13:00:00");
  EXPECT_EQ(table.terminal_redraw(), "\r12:00:00  13:00:00\x1b[K");
  table.set(1, "down");
  EXPECT_EQ(table.terminal_redraw(), "\r12:00:00  down\x1b[K");
  EXPECT_EQ(table.terminal_end(), "\n");
}

TEST(WallTable, RedrawsTheHeaderAboveWhenAColumnWidensOnATerminal) {
  WallTable table({"A", "B"});
  EXPECT_EQ(table.terminal_redraw(), "A         B\n-         -\x1b[K");
  table.set(0, "12:00:00.5");
  EXPECT_EQ(table.terminal_redraw(), "\r\x1b[AA           B\x1b[K\n12:00:00.5  -\x1b[K");
}

// Issue 10: a row wider than the terminal would wrap and scroll the header away.
TEST(WallTable, KeepsTheColumnsThatFitTheTerminalAndSaysThereAreMore) {
  WallTable table({"NewYork", "London", "Tokyo"});
  for (std::size_t i = 0; i < 3; ++i) table.set(i, "12:00:0" + std::to_string(i));
  // 28 columns; with one left empty at the end, 29 hold it all.
  EXPECT_EQ(table.terminal_redraw(29),
            "NewYork   London    Tokyo\n12:00:00  12:00:01  12:00:02\x1b[K");
  WallTable narrow({"NewYork", "London", "Tokyo"});
  for (std::size_t i = 0; i < 3; ++i) narrow.set(i, "12:00:0" + std::to_string(i));
  // Two columns and "  …" need 21; in 20 only one fits.
  EXPECT_EQ(narrow.terminal_redraw(22), "NewYork   London    …\n12:00:00  12:00:01  …\x1b[K");
  EXPECT_EQ(narrow.terminal_redraw(21), "\r\x1b[ANewYork   …\x1b[K\n12:00:00  …\x1b[K");
}

TEST(WallTable, CutsAColumnWiderThanTheTerminal) {
  WallTable table({"NewYork", "London"});
  table.set(0, "12:00:00");
  EXPECT_EQ(table.terminal_redraw(6), "NewY…\n12:0…\x1b[K");
  EXPECT_EQ(table.terminal_redraw(1), "\r\x1b[A\x1b[K\n\x1b[K");
  WallTable zurich({"Zürich", "B"});
  EXPECT_EQ(zurich.terminal_redraw(4), "Zü…\n- …\x1b[K");
}

TEST(WallTable, RedrawsTheHeaderWhenTheTerminalNarrowsOrWidens) {
  WallTable table({"A", "B", "C"});
  for (std::size_t i = 0; i < 3; ++i) table.set(i, "12:00:00");
  EXPECT_EQ(table.terminal_redraw(80), "A         B         C\n12:00:00  12:00:00  12:00:00\x1b[K");
  EXPECT_EQ(table.terminal_redraw(80), "\r12:00:00  12:00:00  12:00:00\x1b[K");
  EXPECT_EQ(table.terminal_redraw(20), "\r\x1b[AA         …\x1b[K\n12:00:00  …\x1b[K");
  EXPECT_EQ(table.terminal_redraw(20), "\r12:00:00  …\x1b[K");
  EXPECT_EQ(table.terminal_redraw(0),
            "\r\x1b[AA         B         C\x1b[K\n12:00:00  12:00:00  12:00:00\x1b[K");
}

TEST(WallTable, ClearsItselfForALogLineThenDrawsItselfAnewUnderIt) {
  WallTable table({"A", "B"});
  EXPECT_EQ(table.terminal_clear(), "") << "nothing drawn, nothing to clear";
  table.terminal_redraw(80);
  // To the header's line, and clear to the end of the screen: the log line goes there.
  EXPECT_EQ(table.terminal_clear(), "\r\x1b[A\x1b[J");
  EXPECT_EQ(table.terminal_redraw(80), "A         B\n-         -\x1b[K");
}

TEST(WallTable, LeavesAnUntouchedTerminalAlone) {
  WallTable table({"A"});
  EXPECT_EQ(table.terminal_end(), "");
}

}  // namespace
}  // namespace gonet

namespace gonet {
namespace {

TEST(CellText, ShowsATimeAsItIs) {
  const CellText cell = cell_text("12:00:00 Zürich ΑΒΓ");
  EXPECT_EQ(cell.shown, "12:00:00 Zürich ΑΒΓ");
  EXPECT_TRUE(cell.text);
}

TEST(CellText, EscapesControlCharactersAndEscapeSequences) {
  // Clear the screen, set the window title, ring the bell, a C1 CSI (U+009B), DEL.
  const CellText cell = cell_text(
      "\x1b[2J\x1b]0;pwned\x07 \xc2\x9b"
      "1m\x7f");
  EXPECT_EQ(cell.shown, "\\x1B[2J\\x1B]0;pwned\\x07 \\xC2\\x9B1m\\x7F");
  EXPECT_FALSE(cell.text);
  EXPECT_EQ(cell.shown.find('\x1b'), std::string::npos);
}

TEST(CellText, EscapesBytesThatAreNotUtf8) {
  const CellText cell = cell_text("12:00\xff\xc3");
  EXPECT_EQ(cell.shown, "12:00\\xFF\\xC3");
  EXPECT_FALSE(cell.text);
}

TEST(CellText, CutsALongLineToTheMaximumWidth) {
  const std::string exact(CellText::kMaxCellWidth, 'x');
  EXPECT_EQ(cell_text(exact).shown, exact);
  const CellText cut = cell_text(std::string(1 << 20, 'y') + "z");
  EXPECT_EQ(cut.shown, std::string(CellText::kMaxCellWidth - 1, 'y') + "…");
  EXPECT_TRUE(cut.text);
  // Cut between characters, never inside one.
  const CellText wide = cell_text(std::string(100, 'a') + "ü");
  EXPECT_EQ(wide.shown, std::string(CellText::kMaxCellWidth - 1, 'a') + "…");
  const std::string umlauts = [] {
    std::string text;
    for (int i = 0; i < 60; ++i) text += "ü";
    return text;
  }();
  const CellText cut_umlauts = cell_text(umlauts);
  EXPECT_EQ(cut_umlauts.shown, umlauts.substr(0, 2 * (CellText::kMaxCellWidth - 1)) + "…");
}

TEST(CellText, AnEmptyLineIsNoAnswer) { EXPECT_FALSE(cell_text("").text); }

// `text` `n` times.
std::string times(std::string_view text, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += text;
  return out;
}

const std::string kCombiningAcute = "\u0301";

// Issue 22: what a terminal shows, not how many characters were sent.
TEST(DisplayWidth, CountsColumnsOnScreen) {
  EXPECT_EQ(display_width(""), 0u);
  EXPECT_EQ(display_width("12:00:00"), 8u);
  EXPECT_EQ(display_width("Zürich"), 6u);
  EXPECT_EQ(display_width("東京"), 4u);                 // East Asian wide: 2 each
  EXPECT_EQ(display_width("ｱ"), 1u);                    // halfwidth katakana
  EXPECT_EQ(display_width("e" + kCombiningAcute), 1u);  // a combining mark: 0
  EXPECT_EQ(display_width("1" + times(kCombiningAcute, 39)), 1u);
  EXPECT_EQ(display_width("a\u200Bb"), 2u);    // zero-width space
  EXPECT_EQ(display_width("\U0001F600"), 2u);  // an emoji cell
  EXPECT_EQ(display_width("\u231A"), 2u);      // watch, wide since Unicode 9
  EXPECT_EQ(display_width("\xff"), 1u);        // not UTF-8: one column, escaped anyway
}

TEST(DisplayWidth, SaysWhatATerminalCannotShow) {
  EXPECT_EQ(rune_width(U'a'), 1);
  EXPECT_EQ(rune_width(0x1B), -1);
  EXPECT_EQ(rune_width(0x9B), -1);  // C1's CSI
  EXPECT_EQ(rune_width(0x0301), 0);
  EXPECT_EQ(rune_width(0x6771), 2);
}

TEST(DisplayWidth, FitsWholeCharactersAndKeepsMarksWithTheirBase) {
  EXPECT_EQ(bytes_within("abc", 2), 2u);
  EXPECT_EQ(bytes_within("abc", 5), 3u);
  EXPECT_EQ(bytes_within("東京", 3), 3u);  // the second would need columns 3 and 4
  EXPECT_EQ(bytes_within("東京", 1), 0u);
  const std::string accented = "e" + kCombiningAcute + "f";
  EXPECT_EQ(bytes_within(accented, 1), 3u);  // "é" whole, its mark with it
  EXPECT_EQ(bytes_within(accented, 0), 0u);
  EXPECT_EQ(bytes_within("1" + times(kCombiningAcute, 39) + "2", 1), 1u + 39 * 2);
}

TEST(CellText, CutsByColumnsOnScreen) {
  // 40 wide characters are 80 columns: 19 of them and "…" fill the 40.
  const CellText wide = cell_text(times("時", 40));
  EXPECT_EQ(wide.shown, times("時", 19) + "…");
  EXPECT_EQ(display_width(wide.shown), 39u);
  EXPECT_TRUE(wide.text);
  // 20 of them are exactly 40 columns: shown whole.
  EXPECT_EQ(cell_text(times("時", 20)).shown, times("時", 20));
  // A digit with two combining marks is one column, marks and all.
  const std::string stacked = "1" + times(kCombiningAcute, 2);
  EXPECT_EQ(cell_text(stacked).shown, stacked);
  // A cut never parts a mark from its base.
  const CellText marks = cell_text(times("e" + kCombiningAcute, 45));
  EXPECT_EQ(marks.shown, times("e" + kCombiningAcute, 39) + "…");
}

// Issue 30: what the probe's clocks drew past their columns.
TEST(CellText, KeepsTwoCombiningMarksOnACharacterAndEscapesTheRest) {
  const CellText cell = cell_text("1" + times(kCombiningAcute, 2000));
  EXPECT_EQ(cell.shown, "1" + times(kCombiningAcute, 2) + times("\\xCC\\x81", 4) + "\\xCC…");
  EXPECT_FALSE(cell.text);
  EXPECT_LE(display_width(cell.shown), CellText::kMaxCellWidth);
  // Marks on each of several characters: two each.
  EXPECT_EQ(cell_text(times("e" + times(kCombiningAcute, 2), 3)).shown,
            times("e" + times(kCombiningAcute, 2), 3));
}

TEST(DisplayWidth, CountsACharacterWithEmojiPresentationAsTwo) {
  const std::string sun = "\u2600\uFE0F";  // ☀️
  EXPECT_EQ(display_width("\u2600"), 1u);
  EXPECT_EQ(display_width(sun), 2u);
  EXPECT_EQ(display_width(times(sun, 40)), 80u);
  const CellText cell = cell_text(times(sun, 40));
  EXPECT_EQ(cell.shown, times(sun, 19) + "…");
  EXPECT_EQ(display_width(cell.shown), 39u);
}

TEST(CellText, NeverCutsInsideAnEscape) {
  // "a" and 20 escapes of 4 columns: 81; cut to 39, the tenth escape would end at 41.
  const CellText cell = cell_text("a" + std::string(20, '\x01'));
  EXPECT_EQ(cell.shown, "a" + times("\\x01", 9) + "…");
  for (std::size_t extra = 0; extra < 4; ++extra) {
    const std::string shown = cell_text(std::string(extra, 'b') + std::string(20, '\x7f')).shown;
    EXPECT_EQ((shown.size() - extra - std::string_view("…").size()) % 4, 0u) << shown;
  }
}

// The fuzzer's find: a clock's own "\x10" looks like an escape, and with VS16 after it the
// terminal draws its "0" as an emoji, 5 columns in all.
TEST(DisplayWidth, CountsVS16AfterTextThatLooksLikeAnEscape) {
  const std::string lookalike = "\\x10\uFE0F";
  EXPECT_EQ(display_width(lookalike), 5u);
  const CellText cell = cell_text(times(lookalike, 10));
  EXPECT_TRUE(cell.text);
  EXPECT_EQ(cell.shown, times(lookalike, 7) + "…");  // 7 x 5 + 1 = 36; an eighth would be 41
  EXPECT_LE(display_width(cell.shown), CellText::kMaxCellWidth);
}

TEST(CellText, StaysWithinFourBytesAColumn) {
  // 40 columns of five bytes each: cut by bytes before columns.
  const CellText cell = cell_text(times("e" + times(kCombiningAcute, 2), 40));
  EXPECT_LE(cell.shown.size(), kMaxBytesPerColumn * CellText::kMaxCellWidth);
  EXPECT_EQ(cell.shown, times("e" + times(kCombiningAcute, 2), 31) + "…");
}

TEST(WallTable, ARowIsNeverLongerThanTheTerminalInColumnsOrBytes) {
  WallTable table({"A", "B"});
  table.set(0, cell_text(times("e" + times(kCombiningAcute, 2), 40)).shown);
  table.set(1, cell_text(times("\u2600\uFE0F", 40)).shown);
  for (const std::size_t columns : {80u, 40u, 20u, 7u}) {
    table.terminal_redraw(columns);
    const std::string row = table.terminal_redraw(columns);
    const std::string line = row.substr(1, row.size() - 1 - std::string_view("\x1b[K").size());
    EXPECT_LT(display_width(line), columns) << line;
    EXPECT_LE(line.size(), kMaxBytesPerColumn * columns) << line;
  }
}

TEST(CellText, EscapesBidirectionalControls) {
  const CellText cell = cell_text("12:00\u202E:00");
  EXPECT_EQ(cell.shown, "12:00\\xE2\\x80\\xAE:00");
  EXPECT_FALSE(cell.text);
}

TEST(WallTable, LinesUpColumnsOfWideAndCombiningText) {
  WallTable table({"Tokyo", "Stacked", "London"});
  table.set(0, "時時時時時");                     // 10 columns
  table.set(1, "1" + times(kCombiningAcute, 2));  // 1 column
  table.set(2, "12:00:00");
  const std::string row = table.row();
  // The third column starts at the same screen column as its name: 10 + 2 + 8 + 2.
  EXPECT_EQ(display_width(row.substr(0, row.find("12:00:00"))), 22u);
  const std::string header = table.header();
  EXPECT_EQ(display_width(header.substr(0, header.find("London"))), 22u);
  // On a terminal 30 wide, 29 columns at most (the last stays empty), cut between characters.
  WallTable narrow({"A", "B"});
  narrow.set(0, times("時", 20));
  EXPECT_EQ(narrow.terminal_redraw(30),
            "A" + std::string(27, ' ') + "…\n" + times("時", 14) + "…\x1b[K");
}

// A logger as the programs have one, writing to `out`.
void log_to(std::ostringstream& out) {
  auto logger = std::make_shared<spdlog::logger>(
      "clockwall", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
  logger->set_pattern("%n: %v");
  spdlog::set_default_logger(std::move(logger));
}

TEST(LogAbove, ClearsTheDisplayBeforeEachLineAndRedrawsItAfter) {
  const auto saved = spdlog::default_logger();
  std::ostringstream out;
  log_to(out);
  {
    LogAbove above([&] { out << "[clear]"; }, [&] { out << "[redraw]"; });
    spdlog::info("Mars (nosuch.invalid:1): lookup nosuch.invalid: host not found");
    spdlog::debug("below the level: neither cleared nor redrawn");
    spdlog::info("Mars (nosuch.invalid:1): back");
  }
  spdlog::info("after: as before");
  EXPECT_EQ(out.str(),
            "[clear]clockwall: Mars (nosuch.invalid:1): lookup nosuch.invalid: host not found\n"
            "[redraw][clear]clockwall: Mars (nosuch.invalid:1): back\n[redraw]"
            "clockwall: after: as before\n");
  spdlog::set_default_logger(saved);
}

}  // namespace
}  // namespace gonet
