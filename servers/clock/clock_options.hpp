#pragma once

#include <string>
#include <vector>

#include "common/cli/program.hpp"
#include "common/net/serve_options.hpp"

namespace gonet {

// A clock server's options: the server's, and how it shows the time (help group "clock").
struct ClockOptions {
  ServeOptions serve;
  std::string zone;  // empty: $TZ, else the system zone
  std::string format = "%H:%M:%S";
};

// Throws UsageError or EarlyExit; `args` are the arguments after the program's name.
ClockOptions parse_clock_options(const Program& program, const std::vector<std::string>& args);

}  // namespace gonet
