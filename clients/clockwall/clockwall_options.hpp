#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <spdlog/common.h>

#include "common/cli/program.hpp"
#include "common/text/address.hpp"
#include "common/tls/tls_options.hpp"

namespace gonet {

// One clock of a clock wall: NAME=HOST:PORT.
struct WallClock {
  std::string name;
  Endpoint server;
  bool operator==(const WallClock&) const = default;
};

struct ClockwallOptions {
  std::vector<WallClock> clocks;
  TlsOptions tls;  // for every clock
  bool once = false;
  std::chrono::nanoseconds timeout = std::chrono::seconds(5);
  spdlog::level::level_enum log_level = spdlog::level::info;
  std::vector<std::string> warnings;  // flags given that do nothing here
};

// Throws UsageError or EarlyExit; `args` are the arguments after the program's name.
ClockwallOptions parse_clockwall_options(const Program& program,
                                         const std::vector<std::string>& args);

}  // namespace gonet
