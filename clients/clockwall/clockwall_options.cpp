#include "clients/clockwall/clockwall_options.hpp"

#include <optional>

#include "common/cli/command_line.hpp"
#include "common/cli/tls_flags.hpp"
#include "common/cli/values.hpp"

namespace gonet {

ClockwallOptions parse_clockwall_options(const Program& program,
                                         const std::vector<std::string>& args) {
  auto options = command_line(program, "NAME=HOST:PORT ...");
  options.add_options()("once", "print the header and one row, then exit")(
      "timeout", "with -once, how long to wait for every clock",
      cxxopts::value<std::string>()->default_value("5s"),
      "D")("clocks", "", cxxopts::value<std::vector<std::string>>());
  add_tls_flags(options);
  options.parse_positional({"clocks"});
  const auto result = parse(options, program, args);

  ClockwallOptions wall;
  wall.log_level = log_level(result);
  wall.tls = tls_options(result);
  wall.once = result["once"].as<bool>();
  wall.timeout = parse_duration_flag("timeout", result["timeout"].as<std::string>());
  if (wall.once && wall.timeout.count() == 0) {
    bad_value("timeout", result["timeout"].as<std::string>(), "want more than 0 with -once");
  }
  if (!wall.once && result.count("timeout") > 0) {
    wall.warnings.emplace_back("-timeout does nothing without -once");
  }
  if (result.count("clocks") == 0) throw UsageError("no clocks: want NAME=HOST:PORT ...");
  for (const std::string& arg : result["clocks"].as<std::vector<std::string>>()) {
    const auto equals = arg.find('=');
    const auto server = equals == std::string::npos
                            ? std::nullopt
                            : parse_host_port(std::string_view(arg).substr(equals + 1));
    if (equals != 0 && !server && has_port_out_of_range(arg.substr(equals + 1))) {
      throw UsageError("invalid clock \"" + arg + "\": port out of range (1 to 65535)");
    }
    if (equals == 0 || !server) {
      throw UsageError("invalid clock \"" + arg + "\": want NAME=HOST:PORT");
    }
    wall.clocks.push_back(WallClock{arg.substr(0, equals), *server});
  }
  return wall;
}

}  // namespace gonet
