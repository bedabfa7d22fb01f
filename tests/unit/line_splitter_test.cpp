#include "common/text/line_splitter.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gonet {
namespace {

// Feeds `input` in reads of at most `chunk` bytes, as a socket might deliver it, and collects
// what a Go bufio.Scanner would: the lines, and whether it stopped on a line too long.
struct Scan {
  std::vector<std::string> lines;
  bool too_long = false;
};

Scan scan(std::string_view input, std::size_t max_line, std::size_t chunk = 1 << 20) {
  LineSplitter splitter(max_line);
  Scan result;
  for (;;) {
    std::string_view line;
    const auto status = splitter.next(line);
    if (status == LineSplitter::Status::line) {
      result.lines.emplace_back(line);
      continue;
    }
    if (status == LineSplitter::Status::too_long) {
      result.too_long = true;
      return result;
    }
    if (input.empty()) break;
    const auto space = splitter.space();
    EXPECT_FALSE(space.empty());
    const std::size_t n = std::min({chunk, space.size(), input.size()});
    std::memcpy(space.data(), input.data(), n);
    splitter.commit(n);
    input.remove_prefix(n);
  }
  if (const auto rest = splitter.rest_at_eof()) result.lines.emplace_back(*rest);
  return result;
}

using Lines = std::vector<std::string>;

TEST(LineSplitter, SplitsOnNewlines) {
  EXPECT_EQ(scan("a\nbc\ndef\n", 100).lines, (Lines{"a", "bc", "def"}));
}

TEST(LineSplitter, DropsOneCarriageReturnBeforeTheNewline) {
  EXPECT_EQ(scan("a\r\nb\r\r\nc\rd\n", 100).lines, (Lines{"a", "b\r", "c\rd"}));
}

TEST(LineSplitter, CountsALastLineWithoutNewline) {
  EXPECT_EQ(scan("a\nlast", 100).lines, (Lines{"a", "last"}));
  EXPECT_EQ(scan("a\nlast\r", 100).lines, (Lines{"a", "last"}));
  EXPECT_EQ(scan("a\n", 100).lines, (Lines{"a"}));
  EXPECT_EQ(scan("", 100).lines, (Lines{}));
}

TEST(LineSplitter, CountsEmptyLines) {
  EXPECT_EQ(scan("\n\r\n\nx\n\n", 100).lines, (Lines{"", "", "", "x", ""}));
}

TEST(LineSplitter, ReassemblesALineSplitAcrossManyReads) {
  const std::string input = "first line\r\nsecond, longer line\n\nlast";
  for (const std::size_t chunk : {1u, 2u, 3u, 7u}) {
    EXPECT_EQ(scan(input, 100, chunk).lines,
              (Lines{"first line", "second, longer line", "", "last"}))
        << "reads of " << chunk;
  }
}

TEST(LineSplitter, TakesALineOfExactlyMaxLineBytes) {
  const std::string line(1000, 'x');
  for (const std::string end : {"\n", "\r\n"}) {
    for (const std::size_t chunk : {1u, 100u, 4096u}) {
      const auto result = scan(line + end + "y\n", 1000, chunk);
      EXPECT_FALSE(result.too_long);
      EXPECT_EQ(result.lines, (Lines{line, "y"}));
    }
  }
  EXPECT_EQ(scan(line, 1000).lines, (Lines{line}));  // at EOF too
}

TEST(LineSplitter, StopsOnALineOverMaxLine) {
  const std::string line(1001, 'x');
  for (const std::size_t chunk : {1u, 100u, 4096u}) {
    const auto terminated = scan("ok\n" + line + "\nnever\n", 1000, chunk);
    EXPECT_TRUE(terminated.too_long) << chunk;
    EXPECT_EQ(terminated.lines, (Lines{"ok"}));
    // No "\n" ever comes: it must not wait for one, nor grow without end.
    const auto endless = scan("ok\n" + std::string(100000, 'x'), 1000, chunk);
    EXPECT_TRUE(endless.too_long) << chunk;
  }
}

TEST(LineSplitter, KeepsItsBufferNearTheLongestLine) {
  LineSplitter splitter(1 << 20);
  std::size_t largest = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto space = splitter.space();
    largest = std::max(largest, space.size());
    const std::string input = "a short line\n";
    std::memcpy(space.data(), input.data(), input.size());
    splitter.commit(input.size());
    std::string_view line;
    ASSERT_EQ(splitter.next(line), LineSplitter::Status::line);
    ASSERT_EQ(line, "a short line");
  }
  EXPECT_LE(largest, 1024u);
}

}  // namespace
}  // namespace gonet
