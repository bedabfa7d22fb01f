#include <gtest/gtest.h>

#include "clients/clockwall/cell_text.hpp"
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

}  // namespace
}  // namespace gonet
