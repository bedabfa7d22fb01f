#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <spdlog/common.h>

#include "common/cli/cxxopts.hpp"
#include "common/cli/program.hpp"

namespace gonet {

// A program's options, with the ones every program has: -h/-help, -version and -log-level.
// A program family adds its own in a help group named after it.
cxxopts::Options command_line(const Program& program, std::string_view positional = "");

// Parses `args` (those after the program's name) in Go's syntax. Throws UsageError, or
// EarlyExit for --help (every group, the common options first) and --version.
cxxopts::ParseResult parse(cxxopts::Options& options, const Program& program,
                           const std::vector<std::string>& args);

// The -log-level given.
spdlog::level::level_enum log_level(const cxxopts::ParseResult& result);

}  // namespace gonet
