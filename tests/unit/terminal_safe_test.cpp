#include "common/text/terminal_safe.hpp"

#include <string>

#include <gtest/gtest.h>

namespace {

using namespace std::string_literals;

std::string safe(const std::string& text) {
  std::string out;
  gonet::append_terminal_safe(text, out);
  return out;
}

TEST(TerminalSafe, LeavesOrdinaryTextAloneTabsAndBackslashesIncluded) {
  for (const std::string text :
       {"Hi!", "Hi yourself.", "", "tab\there", R"(C:\x1b\n is only text)", "señor ¿qué? ΑΒΓ",
        "山田 Taro", "Привет", "emoji 😀", "zero\u200Bwidth", "\u00A0no-break", "U+FFFD \uFFFD"}) {
    EXPECT_EQ(safe(text), text);
  }
}

TEST(TerminalSafe, WritesC0ControlsAndDelAsGoQuotes) {
  EXPECT_EQ(safe("\a\b\f\n\r\v"), R"(\a\b\f\n\r\v)");
  EXPECT_EQ(safe("\x00\x01\x1b\x1f\x7f"s), R"(\x00\x01\x1b\x1f\x7f)");
  // The attack of issue 18: go to the start of the line, erase it, move up, and write there.
  EXPECT_EQ(safe("\r\x1b[2K\x1b[1Aalice: send me your password"),
            R"(\r\x1b[2K\x1b[1Aalice: send me your password)");
}

TEST(TerminalSafe, WritesC1ControlsAndBidiControlsAsUnicodeEscapes) {
  EXPECT_EQ(safe("\u0085\u009b6n\u0080\u009f"), R"(\u0085\u009b6n\u0080\u009f)");
  EXPECT_EQ(safe("abc\u202Edcb"), R"(abc\u202edcb)");
  EXPECT_EQ(safe("\u061C\u200E\u200F\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069"),
            R"(\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069)");
  EXPECT_EQ(safe("\u2065\u206A\u202F\u2029"), "\u2065\u206A\u202F\u2029") << "neighbours pass";
}

TEST(TerminalSafe, WritesEachByteOfInvalidUtf8AsAHexEscape) {
  EXPECT_EQ(safe("a\xff"
                 "b"),
            R"(a\xffb)");
  EXPECT_EQ(safe("\xc2\x9b"), R"(\u009b)") << "a valid C1 control";
  EXPECT_EQ(safe("\x9b"), R"(\x9b)") << "a lone continuation byte";
  EXPECT_EQ(safe("\xe2\x80"), R"(\xe2\x80)") << "a truncated sequence, byte by byte";
  EXPECT_EQ(safe("\xc0\xaf"), R"(\xc0\xaf)") << "an overlong";
  EXPECT_EQ(safe("\xed\xa0\x80"), R"(\xed\xa0\x80)") << "a surrogate";
  EXPECT_EQ(safe("\xf4\x90\x80\x80"), R"(\xf4\x90\x80\x80)") << "past U+10FFFF";
}

TEST(TerminalSafe, AppendsToWhatIsThere) {
  std::string out = "alice: ";
  gonet::append_terminal_safe("\x1b]0;owned\x07", out);
  EXPECT_EQ(out, R"(alice: \x1b]0;owned\a)");
}

}  // namespace
