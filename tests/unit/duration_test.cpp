#include "common/text/duration.hpp"

#include <gtest/gtest.h>

namespace gonet {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesGoSyntax) {
  EXPECT_EQ(parse_duration("0"), 0ns);
  EXPECT_EQ(parse_duration("1s"), 1s);
  EXPECT_EQ(parse_duration("250ms"), 250ms);
  EXPECT_EQ(parse_duration("1m30s"), 90s);
  EXPECT_EQ(parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(parse_duration(".5s"), 500ms);
  EXPECT_EQ(parse_duration("2h45m"), 2h + 45min);
  EXPECT_EQ(parse_duration("10us"), 10us);
  EXPECT_EQ(parse_duration("10\u00b5s"), 10us);
  EXPECT_EQ(parse_duration("7ns"), 7ns);
  EXPECT_EQ(parse_duration("1h1m1s1ms"), 1h + 1min + 1s + 1ms);
  EXPECT_EQ(parse_duration("-2s"), -2s);
  EXPECT_EQ(parse_duration("+2s"), 2s);
}

TEST(Duration, RejectsWhatGoRejects) {
  for (const char* bad : {"", "1", "s", "1x", "1.s.", "--1s", "1s2", ".s", "1 s", "-", "1sec",
                          "9999999999999999999h"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
  }
}

TEST(Duration, FormatsLikeGo) {
  EXPECT_EQ(format_duration(0ns), "0s");
  EXPECT_EQ(format_duration(1s), "1s");
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
  EXPECT_EQ(format_duration(2h), "2h0m0s");
}

}  // namespace
}  // namespace gonet
