// Shared by the flag fuzzers: the input as an argument vector, and the checks every parser's
// outcome must pass.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "clients/clockwall/clockwall_options.hpp"
#include "common/cli/dial_flags.hpp"
#include "common/cli/go_style.hpp"
#include "servers/clock/clock_options.hpp"
#include "servers/reverb/reverb_options.hpp"

namespace fuzz {

inline void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz: %s\n", what);
    std::abort();
  }
}

// The input split on '\0': "" is no arguments, "-port\08010" is {"-port", "8010"}.
inline std::vector<std::string> split_args(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args;
  if (size == 0) return args;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t from = 0;
  for (;;) {
    const auto nul = input.find('\0', from);
    args.emplace_back(input.substr(from, nul == std::string_view::npos ? nul : nul - from));
    if (nul == std::string_view::npos) return args;
    from = nul + 1;
  }
}

inline bool any_holds(const std::vector<std::string>& args, std::string_view what) {
  for (const std::string& arg : args) {
    if (arg.find(what) != std::string::npos) return true;
  }
  return false;
}

// Runs one parser: UsageError and EarlyExit are answers; anything else thrown is a finding.
// Returns whether it parsed.
template <class Parse>
bool parses(const char* parser, const std::vector<std::string>& args, Parse parse) {
  try {
    parse();
    return true;
  } catch (const gonet::UsageError& e) {
    const std::string_view message = e.what();
    check(!message.empty(), "an empty usage error");
    // One line, as the spec wants, unless the user's own argument brought the newline.
    if (!any_holds(args, "\n"))
      check(message.find('\n') == std::string::npos, "a usage error of two lines");
    // cxxopts' ‘’ quotes are turned into plain ones.
    if (!any_holds(args, "\u2018") && !any_holds(args, "\u2019")) {
      check(message.find("\u2018") == std::string::npos &&
                message.find("\u2019") == std::string::npos,
            "cxxopts' quotes left in a usage error");
    }
  } catch (const gonet::EarlyExit& done) {
    check(!done.text.empty(), "an EarlyExit with no text");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: %s threw %s: %s\n", parser, typeid(e).name(), e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "fuzz: %s threw something that is not a std::exception\n", parser);
    std::abort();
  }
  return false;
}

inline void check_clockwall(const gonet::ClockwallOptions& wall,
                            const std::vector<std::string>& args) {
  check(!wall.clocks.empty(), "a clock wall without clocks");
  check(wall.clocks.size() <= args.size(), "more clocks than arguments");
  check(wall.timeout.count() >= 0, "a negative -timeout");
  for (const gonet::WallClock& clock : wall.clocks) {
    check(!clock.name.empty(), "a clock without a name");
    check(clock.name.find('=') == std::string::npos, "a clock name holding '='");
    check(!clock.server.host.empty(), "a clock without a host");
    check(clock.server.port >= 1 || !clock.server.service.empty(), "a clock on port 0");
    // It came from one argument NAME=HOST:PORT, maybe as the value of --clocks=.
    bool found = false;
    for (const std::string& arg : args) {
      const std::string prefix = clock.name + "=";
      for (auto at = arg.find(prefix); at != std::string::npos && !found;
           at = arg.find(prefix, at + 1)) {
        const auto server =
            gonet::parse_host_port(std::string_view(arg).substr(at + prefix.size()));
        found = server && *server == clock.server;
      }
    }
    check(found, "a clock that no argument names");
  }
}

}  // namespace fuzz
