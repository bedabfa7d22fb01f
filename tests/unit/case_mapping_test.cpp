#include "common/text/case_mapping.hpp"

#include <string>

#include <gtest/gtest.h>

namespace {

using gonet::to_lower;
using gonet::to_upper;

const std::string kReplacement = "\xEF\xBF\xBD";

TEST(CaseMapping, MapsAsciiLettersAndLeavesTheRestAlone) {
  EXPECT_EQ(to_upper("Hello, World! 123 [az] {AZ} @`"), "HELLO, WORLD! 123 [AZ] {AZ} @`");
  EXPECT_EQ(to_lower("Hello, World! 123 [az] {AZ} @`"), "hello, world! 123 [az] {az} @`");
}

TEST(CaseMapping, MapsLatinOneLetters) {
  EXPECT_EQ(to_upper("señor ¿qué?"), "SEÑOR ¿QUÉ?");
  EXPECT_EQ(to_lower("SEÑOR ¿QUÉ?"), "señor ¿qué?");
}

TEST(CaseMapping, MapsGreekIncludingFinalSigma) {
  EXPECT_EQ(to_upper("αβγ λόγος"), "ΑΒΓ ΛΌΓΟΣ");
  EXPECT_EQ(to_upper("ς"), "Σ");
  EXPECT_EQ(to_lower("ΑΒΓ"), "αβγ");
}

TEST(CaseMapping, MapsCyrillic) {
  EXPECT_EQ(to_upper("Привет"), "ПРИВЕТ");
  EXPECT_EQ(to_lower("Привет"), "привет");
}

TEST(CaseMapping, KeepsSharpSOnUpperAsGoDoes) {
  EXPECT_EQ(to_upper("ß"), "ß");
  EXPECT_EQ(to_upper("straße"), "STRAßE");
}

TEST(CaseMapping, MapsTitlecaseDigraphToUpperAndLower) {
  EXPECT_EQ(to_upper("ǅ"), "Ǆ");
  EXPECT_EQ(to_lower("ǅ"), "ǆ");
}

TEST(CaseMapping, MatchesGoOnTheFieldNotesSample) {
  EXPECT_EQ(to_upper("señor ¿qué? ΑΒΓ αβγ Привет straße ǆ"), "SEÑOR ¿QUÉ? ΑΒΓ ΑΒΓ ПРИВЕТ STRAßE Ǆ");
}

TEST(CaseMapping, TurnsEachInvalidByteIntoReplacementCharacter) {
  EXPECT_EQ(to_upper("a\xff"
                     "b"),
            "A" + kReplacement + "B");
  EXPECT_EQ(to_lower("A\xff"
                     "B"),
            "a" + kReplacement + "b");
  EXPECT_EQ(to_upper("\x80\xbf"), kReplacement + kReplacement);
  EXPECT_EQ(to_upper("\xf5\xfe"), kReplacement + kReplacement);
}

TEST(CaseMapping, TurnsTruncatedSequenceAtTheEndIntoOneReplacementPerByte) {
  // "中" is E4 B8 AD; its last byte is missing.
  EXPECT_EQ(to_upper("x\xE4\xB8"), "X" + kReplacement + kReplacement);
}

TEST(CaseMapping, ResynchronizesOnTheByteAfterABadContinuation) {
  // E4 starts a 3-byte sequence, but 'a' is not a continuation byte.
  EXPECT_EQ(to_upper("\xE4"
                     "a\xB8"),
            kReplacement + "A" + kReplacement);
}

TEST(CaseMapping, RejectsOverlongEncodings) {
  EXPECT_EQ(to_upper("\xC0\x80"), kReplacement + kReplacement);
  EXPECT_EQ(to_upper("\xE0\x80\xAF"), kReplacement + kReplacement + kReplacement);
  EXPECT_EQ(to_upper("\xF0\x80\x80\xAF"),
            kReplacement + kReplacement + kReplacement + kReplacement);
}

TEST(CaseMapping, RejectsSurrogates) {
  EXPECT_EQ(to_upper("\xED\xA0\x80"), kReplacement + kReplacement + kReplacement);
}

TEST(CaseMapping, RejectsCodePointsBeyondUnicode) {
  // F4 90 80 80 would be U+110000.
  EXPECT_EQ(to_upper("\xF4\x90\x80\x80"),
            kReplacement + kReplacement + kReplacement + kReplacement);
}

TEST(CaseMapping, KeepsARealReplacementCharacter) {
  EXPECT_EQ(to_upper("a\uFFFDb"), "A\uFFFDB");
  EXPECT_EQ(to_lower("A\uFFFDB"), "a\uFFFDb");
}

TEST(CaseMapping, ReturnsEmptyForEmpty) {
  EXPECT_EQ(to_upper(""), "");
  EXPECT_EQ(to_lower(""), "");
}

TEST(CaseMapping, MapsFourByteCharacters) {
  EXPECT_EQ(to_upper("\U00010428"), "\U00010400");
  EXPECT_EQ(to_lower("\U00010400"), "\U00010428");
}

TEST(CaseMapping, HandlesCharactersWhoseEncodingChangesLength) {
  // ı (2 bytes) uppercases to I (1 byte); ɐ (2 bytes) to Ɐ (3 bytes).
  EXPECT_EQ(to_upper("ı"), "I");
  EXPECT_EQ(to_upper("ɐ"), "Ɐ");
  EXPECT_EQ(to_lower("Ɐ"), "ɐ");
}

// ASCII goes eight bytes at a time: every byte value, at every offset within a word and next to
// every length of run before and after a multi-byte character, maps as one byte at a time would.
TEST(CaseMapping, MapsEveryAsciiByteAtEveryOffsetAsOneByteAtATimeWould) {
  std::string all;
  for (int byte = 0; byte < 0x80; ++byte) all.push_back(static_cast<char>(byte));
  std::string upper = all;
  std::string lower = all;
  for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  for (std::size_t offset = 0; offset < 8; ++offset) {
    const std::string pad(offset, '.');
    EXPECT_EQ(to_upper(pad + all), pad + upper) << "offset " << offset;
    EXPECT_EQ(to_lower(pad + all), pad + lower) << "offset " << offset;
  }
  for (std::size_t before = 0; before < 20; ++before) {
    for (std::size_t after = 0; after < 20; ++after) {
      const std::string text = std::string(before, 'q') + "é" + std::string(after, 'Z');
      EXPECT_EQ(to_upper(text), std::string(before, 'Q') + "É" + std::string(after, 'Z'));
      EXPECT_EQ(to_lower(text), std::string(before, 'q') + "é" + std::string(after, 'z'));
    }
  }
}

TEST(CaseMapping, AppendsToWhatIsThere) {
  std::string out = "\t ";
  gonet::append_upper("señor", out);
  EXPECT_EQ(out, "\t SEÑOR");
  gonet::append_lower("ÉCHO", out);
  EXPECT_EQ(out, "\t SEÑORécho");
}

TEST(CaseMapping, KeepsEmbeddedNulBytes) {
  const std::string text("a\0b", 3);
  EXPECT_EQ(to_upper(text), std::string("A\0B", 3));
}

}  // namespace
