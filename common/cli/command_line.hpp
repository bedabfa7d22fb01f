#pragma once

#include <cstdlib>
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

[[noreturn]] void exit_early(const EarlyExit& early);
[[noreturn]] void exit_with_usage_error(const Program& program, const UsageError& error);

// What main calls: `parser(program, args)`, whose options it returns; help, version and usage
// errors are printed here and end the program (0, 0 and 2).
template <class Parser>
auto parse_or_exit(const Program& program, int argc, char* argv[], Parser parser) {
  try {
    return parser(program, std::vector<std::string>(argv + 1, argv + argc));
  } catch (const EarlyExit& early) {
    exit_early(early);
  } catch (const UsageError& error) {
    exit_with_usage_error(program, error);
  }
}

}  // namespace gonet
