#include "common/clock_wall.hpp"

#include <gtest/gtest.h>

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
