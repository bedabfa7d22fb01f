#include "servers/chat/bus/bus_timings.hpp"

#include <array>
#include <string>
#include <utility>

#include "common/net/failure.hpp"
#include "common/text/duration.hpp"

namespace gonet {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kShortest{10};

struct Field {
  std::string_view name;
  milliseconds BusTimings::*member;
};

constexpr std::array<Field, 6> kFields{{
    {"beat", &BusTimings::beat},
    {"silent_after", &BusTimings::silent_after},
    {"dead_after", &BusTimings::dead_after},
    {"rejoin_grace", &BusTimings::rejoin_grace},
    {"first_retry", &BusTimings::first_retry},
    {"last_retry", &BusTimings::last_retry},
}};

[[noreturn]] void refuse(std::string_view item, std::string_view why) {
  throw Failure("$GONET_CHAT_BUS_TIMINGS: " + std::string(item) + ": " + std::string(why));
}

const Field& field_named(std::string_view item, std::string_view name) {
  for (const Field& field : kFields) {
    if (field.name == name) return field;
  }
  refuse(item,
         "no such timing (beat, silent_after, dead_after, rejoin_grace, first_retry, last_retry)");
}

milliseconds duration_of(std::string_view item, std::string_view value, milliseconds longest) {
  const auto duration = parse_duration(value);
  if (!duration) refuse(item, "want a duration such as 200ms or 1.5s");
  if (*duration < kShortest) refuse(item, "shorter than 10ms");
  if (*duration > longest) {
    refuse(item, "longer than its default " + format_duration(longest) + " (it may only shorten)");
  }
  return std::chrono::duration_cast<milliseconds>(*duration);
}

}  // namespace

BusTimings parse_bus_timings(std::string_view text) {
  const BusTimings defaults;
  BusTimings timings;
  std::array<bool, kFields.size()> given{};
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    const auto equals = item.find('=');
    if (equals == std::string_view::npos) {
      refuse(item.empty() ? "an empty item" : item, "want NAME=DURATION, comma-separated");
    }
    const Field& field = field_named(item, item.substr(0, equals));
    bool& seen = given[&field - kFields.data()];
    if (std::exchange(seen, true)) refuse(item, "given twice");
    timings.*field.member = duration_of(item, item.substr(equals + 1), defaults.*field.member);
  }
  if (timings.first_retry > timings.last_retry) {
    refuse("first_retry=" + format_duration(timings.first_retry),
           "longer than last_retry=" + format_duration(timings.last_retry));
  }
  return timings;
}

}  // namespace gonet
