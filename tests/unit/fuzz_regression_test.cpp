// What the fuzzers of tests/fuzz found, and the edge cases their seeds stand for, as plain unit
// tests. The tests marked FINDING fail until the bug they name is fixed in common/.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "clients/clockwall/clockwall_options.hpp"
#include "common/cli/dial_flags.hpp"
#include "common/cli/go_style.hpp"
#include "common/text/address.hpp"
#include "common/text/case_mapping.hpp"
#include "common/text/duration.hpp"
#include "common/text/line_splitter.hpp"
#include "servers/clock/clock_options.hpp"
#include "servers/reverb/reverb_options.hpp"
#include "tests/unit/test_programs.hpp"

namespace gonet {
namespace {

using namespace std::chrono_literals;
using Args = std::vector<std::string>;
using Lines = std::vector<std::string>;

using test::kClock2;
using test::kClockwall;
using test::kNetcat1;
using test::kReverb1;

// The splitter fed in reads of `chunk` bytes: the lines, then "too long" if it stopped there.
Lines split(std::string_view input, std::size_t max_line, std::size_t chunk) {
  LineSplitter splitter(max_line);
  Lines lines;
  for (;;) {
    std::string_view line;
    const auto status = splitter.next(line);
    if (status == LineSplitter::Status::line) {
      lines.emplace_back(line);
      continue;
    }
    if (status == LineSplitter::Status::too_long) {
      lines.emplace_back("too long");
      return lines;
    }
    if (input.empty()) break;
    const auto space = splitter.space();
    const std::size_t n = std::min({chunk, space.size(), input.size()});
    std::memcpy(space.data(), input.data(), n);
    splitter.commit(n);
    input.remove_prefix(n);
  }
  if (const auto rest = splitter.rest_at_eof()) lines.emplace_back(*rest);
  return lines;
}

// --- Flags: the argument vectors at the edges ---

TEST(FuzzRegression, NoArgumentsGiveTheDefaults) {
  EXPECT_EQ(parse_clock_options(kClock2, {}).serve.listen, (Endpoint{"localhost", 8000}));
  EXPECT_EQ(parse_reverb_options(kReverb1, {}).max_line, 65536u);
  EXPECT_EQ(parse_dial_options(kNetcat1, {}).server, (Endpoint{"localhost", 8000}));
  EXPECT_THROW(parse_clockwall_options(kClockwall, {}), UsageError);
}

TEST(FuzzRegression, ALoneDashIsAStrayArgument) {
  EXPECT_THROW(parse_clock_options(kClock2, {"-"}), UsageError);
  EXPECT_THROW(parse_reverb_options(kReverb1, {"-"}), UsageError);
  EXPECT_THROW(parse_dial_options(kNetcat1, {"-"}), UsageError);
  EXPECT_THROW(parse_clockwall_options(kClockwall, {"-"}), UsageError);
}

TEST(FuzzRegression, DoubleDashAloneChangesNothing) {
  EXPECT_EQ(go_style({"--"}), Args{"--"});
  EXPECT_EQ(parse_clock_options(kClock2, {"--"}).serve.listen.port, 8000);
  EXPECT_EQ(parse_dial_options(kNetcat1, {"--"}).server, (Endpoint{"localhost", 8000}));
  EXPECT_THROW(parse_clockwall_options(kClockwall, {"--"}), UsageError);
}

TEST(FuzzRegression, MalformedFlagsAreUsageErrorsNotCxxoptsExceptions) {
  for (const Args& args : {Args{"-="}, Args{"--="}, Args{"-hv"}, Args{"--port"}, Args{"-port="},
                           Args{"--nosuch=1"}, Args{"-once=maybe"}, Args{"-\xff"}}) {
    EXPECT_THROW(parse_clock_options(kClock2, args), UsageError) << args[0];
    EXPECT_THROW(parse_dial_options(kNetcat1, args), UsageError) << args[0];
  }
  EXPECT_THROW(parse_clockwall_options(kClockwall, {"-once=maybe", "A=h:1"}), UsageError);
}

TEST(FuzzRegression, HelpAndVersionAreEarlyExits) {
  EXPECT_THROW(parse_clock_options(kClock2, {"-h"}), EarlyExit);
  EXPECT_THROW(parse_reverb_options(kReverb1, {"-help"}), EarlyExit);
  EXPECT_THROW(parse_dial_options(kNetcat1, {"--version"}), EarlyExit);
  EXPECT_THROW(parse_clockwall_options(kClockwall, {"-version"}), EarlyExit);
}

TEST(FuzzRegression, PortsStopAt65535) {
  EXPECT_EQ(parse_port("65535"), 65535);
  EXPECT_EQ(parse_port("65536"), std::nullopt);
  EXPECT_EQ(parse_port("99999"), std::nullopt);
  EXPECT_EQ(parse_port("000080"), std::nullopt);
  EXPECT_EQ(parse_port("0", 1), std::nullopt);
  EXPECT_THROW(parse_clock_options(kClock2, {"-port", "65536"}), UsageError);
  EXPECT_THROW(parse_dial_options(kNetcat1, {"localhost", "65536"}), UsageError);
  EXPECT_THROW(parse_clockwall_options(kClockwall, {"A=localhost:65536"}), UsageError);
}

TEST(FuzzRegression, DurationsThatOverflowAreRefused) {
  EXPECT_EQ(parse_duration("1e9h"), std::nullopt);
  EXPECT_EQ(parse_duration("2562048h"), std::nullopt);
  EXPECT_EQ(parse_duration("9223372036854775808ns"), std::nullopt);
  EXPECT_EQ(parse_duration("99999999999999999999s"), std::nullopt);
  EXPECT_EQ(parse_duration("2562047h47m16.854775807s"), std::chrono::nanoseconds::max());
  EXPECT_THROW(parse_reverb_options(kReverb1, {"-delay", "1e9h"}), UsageError);
}

TEST(FuzzRegression, ClockwallTakesClocksAfterDoubleDash) {
  const auto wall = parse_clockwall_options(kClockwall, {"-once", "--", "A=h:1", "B=[::1]:2"});
  EXPECT_TRUE(wall.once);
  EXPECT_EQ(wall.clocks, (std::vector<WallClock>{{"A", {"h", 1}}, {"B", {"::1", 2}}}));
  EXPECT_THROW(parse_clockwall_options(kClockwall, {"=h:1"}), UsageError);
  EXPECT_THROW(parse_clockwall_options(kClockwall, {"N=h:0"}), UsageError);
  EXPECT_EQ(parse_clockwall_options(kClockwall, {"a=b=c:1"}).clocks,
            (std::vector<WallClock>{{"a", {"b=c", 1}}}));
}

// FINDING: every argument that starts with '-' goes through cxxopts' std::regex, whose
// libstdc++ matcher recurses once per character: an argument of about 37 KB (31 KB under ASan)
// overflows the 8 MB stack. `clock2 -format=$(printf '%040000d' 0)` dies with SIGSEGV (139)
// instead of starting or exiting 2. Arguments of up to 128 KB are allowed by Linux.
TEST(FuzzRegression, ALongArgumentIsNoCrash) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::string long_value(120'000, 'a');
  EXPECT_EXIT(
      {
        for (const Args& args : {Args{"-format=" + long_value}, Args{"-" + long_value}}) {
          try {
            parse_clock_options(kClock2, args);
          } catch (const UsageError&) {
          }
        }
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

// FINDING: cxxopts splits the values of a vector<string> option at ','; the positional clocks
// and servers are such options. One argument per clock, says the spec.
TEST(FuzzRegression, AClockNameMayHoldAComma) {
  EXPECT_EQ(parse_clockwall_options(kClockwall, {"Paris, France=localhost:8010"}).clocks,
            (std::vector<WallClock>{{"Paris, France", {"localhost", 8010}}}));
}

// FINDING: same cause; "A=h:1,B=h:2" is one argument, so one (invalid) clock, not two.
TEST(FuzzRegression, OneArgumentIsOneClock) {
  EXPECT_THROW(parse_clockwall_options(kClockwall, {"A=h:1,B=h:2"}), UsageError);
}

// FINDING: same cause; "localhost,8000" is read as the two words "localhost" "8000".
TEST(FuzzRegression, AServerIsNotSplitAtCommas) {
  EXPECT_THROW(parse_dial_options(kNetcat1, {"localhost,8000"}), UsageError);
}

// FINDING: go_style rewrites every "-word", flag values too, so the value of -format gains a
// dash. Go's flag package takes the next argument as the value whatever it looks like.
TEST(FuzzRegression, GoStyleLeavesAFlagsValueAlone) {
  EXPECT_EQ(parse_clock_options(kClock2, {"-format", "-a %H"}).format, "-a %H");
  EXPECT_EQ(parse_dial_options(kNetcat1, {"-host", "-de:"}).server.host, "-de:");
}

// FINDING: parse_host_port follows net.SplitHostPort only halfway: Go refuses a '[' anywhere but
// first and a ']' anywhere but just before the port's colon. "[[a]:80" even gives a host whose
// to_string ("[a:80") does not parse back.
TEST(FuzzRegression, HostPortRefusesStrayBrackets) {
  for (const char* text : {"[[a]:80", "a]:80", "]:1", "a[b:80", "[a]b]:80", "[a[b]:80"}) {
    const auto endpoint = parse_host_port(text);
    EXPECT_FALSE(endpoint.has_value()) << text << " gave host \"" << endpoint->host << "\"";
  }
  EXPECT_EQ(parse_host_port("[::1]:8000"), (Endpoint{"::1", 8000}));
  EXPECT_EQ(parse_host_port("[fe80::1%eth0]:1"), (Endpoint{"fe80::1%eth0", 1}));
}

// FINDING: format_duration negates its argument; for the most negative value that overflows
// (UBSan: "negation of -9223372036854775808 cannot be represented").
TEST(FuzzRegression, FormatsTheMostNegativeDuration) {
  EXPECT_EQ(format_duration(std::chrono::nanoseconds::min()), "-2562047h47m16.854s");
}

// FINDING (minor): the digit loop stops one digit early near the int64 limit, so the last
// few nanoseconds Go accepts are refused ("9223372036854775800ns" and up, and the minimum).
TEST(FuzzRegression, ParsesDurationsUpToTheInt64Limit) {
  EXPECT_EQ(parse_duration("9223372036854775807ns"), std::chrono::nanoseconds::max());
  EXPECT_EQ(parse_duration("-9223372036854775808ns"), std::chrono::nanoseconds::min());
}

// --- The line splitter at max_line ---

TEST(FuzzRegression, SplitterTakesALineOfExactlyMaxLine) {
  for (const std::size_t chunk : {1u, 3u, 300u}) {
    EXPECT_EQ(split("12345678\n12345678\r\n123456789\n", 8, chunk),
              (Lines{"12345678", "12345678", "too long"}))
        << chunk;
    EXPECT_EQ(split("abcd\r\nabcd\r", 4, chunk), (Lines{"abcd", "abcd"})) << chunk;
    EXPECT_EQ(split("abcd\r\r\n", 4, chunk), (Lines{"too long"})) << chunk;
    EXPECT_EQ(split("abc\r\r\n", 4, chunk), (Lines{"abc\r"})) << chunk;
  }
  EXPECT_EQ(split(std::string(300, 'y') + "\n", 300, 128), (Lines{std::string(300, 'y')}));
  EXPECT_EQ(split("\n\n", 1, 1), (Lines{"", ""}));
}

TEST(FuzzRegression, SplitterGivesALoneCarriageReturnAtEofAsAnEmptyLine) {
  // Go's ScanLines does the same: dropCR of the rest.
  EXPECT_EQ(split("a\n\r", 10, 1), (Lines{"a", ""}));
}

// --- Case mapping of invalid UTF-8 ---

TEST(FuzzRegression, EachInvalidByteBecomesOneReplacementCharacter) {
  EXPECT_EQ(to_upper("a\xff"
                     "b"),
            "A\uFFFDB");
  EXPECT_EQ(to_upper("x\xe2\x82"), "X\uFFFD\uFFFD");                    // cut short
  EXPECT_EQ(to_lower("\xc0\xaf"), "\uFFFD\uFFFD");                      // overlong
  EXPECT_EQ(to_upper("\xed\xa0\x80"), "\uFFFD\uFFFD\uFFFD");            // surrogate
  EXPECT_EQ(to_upper("\xf4\x90\x80\x80"), "\uFFFD\uFFFD\uFFFD\uFFFD");  // past U+10FFFF
  EXPECT_EQ(to_upper("\uFFFD"), "\uFFFD");
  EXPECT_EQ(to_upper(to_upper("\xff\xfe")), "\uFFFD\uFFFD");
}

TEST(FuzzRegression, AsciiMapsAsAscii) {
  EXPECT_EQ(to_upper("Hello, World! 0123 ~{}"), "HELLO, WORLD! 0123 ~{}");
  EXPECT_EQ(to_lower("Hello, World! 0123 ~{}"), "hello, world! 0123 ~{}");
  EXPECT_EQ(to_upper(std::string_view("a\0b", 3)), std::string_view("A\0B", 3));
}

}  // namespace
}  // namespace gonet
