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

// Shorter ones must still fit each other, or the node would flap where the defaults never do.
void check_together(const BusTimings& timings) {
  const auto said = [](std::string_view name, milliseconds value) {
    return std::string(name) + "=" + format_duration(value);
  };
  const std::string beat = said("beat", timings.beat);
  if (timings.silent_after < 2 * timings.beat) {
    refuse(said("silent_after", timings.silent_after),
           "shorter than twice " + beat + " (its own heartbeat would seem lost between two)");
  }
  if (timings.dead_after < 2 * timings.beat) {
    refuse(said("dead_after", timings.dead_after),
           "shorter than twice " + beat + " (every node would seem dead between two heartbeats)");
  }
  if (timings.first_retry > timings.last_retry) {
    refuse(said("first_retry", timings.first_retry),
           "longer than " + said("last_retry", timings.last_retry));
  }
  if (timings.rejoin_grace <= timings.beat + timings.last_retry) {
    refuse(said("rejoin_grace", timings.rejoin_grace),
           "not longer than " + beat + " and " + said("last_retry", timings.last_retry) +
               " together (a live node back after Redis would be evicted)");
  }
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
  check_together(timings);
  return timings;
}

}  // namespace gonet
