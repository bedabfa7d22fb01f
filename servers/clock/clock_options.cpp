#include "servers/clock/clock_options.hpp"

#include "common/cli/command_line.hpp"
#include "common/cli/serve_flags.hpp"
#include "common/cli/values.hpp"
#include "servers/clock/time_zone.hpp"

namespace gonet {

ClockOptions parse_clock_options(const Program& program, const std::vector<std::string>& args) {
  auto options = command_line(program);
  add_serve_flags(options, program);
  // No default_value for -tz: cxxopts would print its own (default: "") after ours.
  options.add_options("clock")("tz",
                               "IANA time zone of the times sent (default: $TZ, else the "
                               "system zone)",
                               cxxopts::value<std::string>(), "ZONE")(
      "format", "strftime pattern of each line",
      cxxopts::value<std::string>()->default_value("%H:%M:%S"), "F");
  const auto result = parse(options, program, args);

  ClockOptions clock;
  clock.serve = serve_flags(result, program);
  if (result.count("tz") > 0) clock.zone = result["tz"].as<std::string>();
  if (!clock.zone.empty() && !is_known_time_zone(clock.zone)) {
    bad_value("tz", clock.zone, "unknown time zone");
  }
  clock.format = result["format"].as<std::string>();
  return clock;
}

}  // namespace gonet
