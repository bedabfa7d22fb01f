#include "servers/clock/clock_face.hpp"

#include <gtest/gtest.h>

#include "servers/clock/time_zone.hpp"

namespace gonet {
namespace {

using namespace std::chrono_literals;

// 2021-06-01 12:34:56 UTC, in the summer on the northern half of the world.
constexpr std::chrono::sys_seconds kNoonInJune{1622550896s};

TEST(ClockFace, ShowsTheTimeInTheNamedZone) {
  use_time_zone("Asia/Tokyo");
  ClockFace face("%H:%M:%S");
  EXPECT_EQ(face.line(kNoonInJune), "21:34:56\n");
  use_time_zone("America/New_York");  // daylight saving time in June
  ClockFace new_york("%H:%M:%S %z");
  EXPECT_EQ(new_york.line(kNoonInJune), "08:34:56 -0400\n");
  use_time_zone("UTC");
}

TEST(ClockFace, FormatsEachSecondOnce) {
  use_time_zone("UTC");
  ClockFace face("%H:%M:%S");
  const std::string& first = face.line(kNoonInJune);
  EXPECT_EQ(&face.line(kNoonInJune), &first);
  EXPECT_EQ(face.line(kNoonInJune + 1s), "12:34:57\n");
}

TEST(ClockFace, HandlesLongAndEmptyFormats) {
  use_time_zone("UTC");
  ClockFace empty("");
  EXPECT_EQ(empty.line(kNoonInJune), "\n");
  ClockFace long_one(std::string(10000, 'x') + "%S");
  EXPECT_EQ(long_one.line(kNoonInJune), std::string(10000, 'x') + "56\n");
}

TEST(TimeZone, KnowsRealZonesOnly) {
  EXPECT_TRUE(is_known_time_zone("Asia/Tokyo"));
  EXPECT_TRUE(is_known_time_zone("Europe/London"));
  EXPECT_TRUE(is_known_time_zone("UTC"));
  for (const char* bad : {"", "Nowhere/Bogus", "Asia", "/etc/passwd", "../../etc/passwd",
                          "Asia/../../../etc/passwd"}) {
    EXPECT_FALSE(is_known_time_zone(bad)) << bad;
  }
}

// $TZ takes more than -tz: what glibc reads there, a POSIX rule or a zone after a ':'.
TEST(TimeZone, TakesWhatGlibcTakesInTheTzVariable) {
  for (const char* good : {"Asia/Tokyo", ":Asia/Tokyo", "UTC", "JST-9", "EST5EDT", "UTC0",
                           "<+0330>-3:30", "CET-1CEST,M3.5.0,M10.5.0/3"}) {
    EXPECT_TRUE(is_usable_tz_variable(good)) << good;
  }
  for (const char* bad :
       {"Bad/Zone", "Nowhere", ":", ":Bad/Zone", "JS-9", "<+03>", "ABC", "/etc/passwd", "12"}) {
    EXPECT_FALSE(is_usable_tz_variable(bad)) << bad;
  }
}

}  // namespace
}  // namespace gonet
