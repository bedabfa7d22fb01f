#pragma once

#include <spdlog/common.h>
#include <chrono>
#include <cstddef>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/address.hpp"

namespace gonet {

// Who is parsing: the name every message starts with and the line --help begins with.
struct Program {
  std::string_view name;
  std::string_view summary;
  bool concurrent = true;  // offers -threads; a sequential server serves one client at a time
};

struct ServeOptions {
  Endpoint listen{"localhost", 8000};
  std::size_t max_conns = 0;
  unsigned threads = 1;
  std::chrono::nanoseconds write_timeout = std::chrono::seconds(30);
  spdlog::level::level_enum log_level = spdlog::level::info;
};

struct ClockOptions {
  ServeOptions serve;
  std::string zone;  // empty: $TZ, else the system zone
  std::string format = "%H:%M:%S";
};

struct ReverbOptions {
  ServeOptions serve;
  std::chrono::nanoseconds delay = std::chrono::seconds(1);
  std::chrono::nanoseconds idle_timeout{0};  // 0: off
  std::size_t max_line = 65536;
};

struct DialOptions {
  Endpoint server{"localhost", 8000};
  spdlog::level::level_enum log_level = spdlog::level::info;
};

// One clock of a clock wall: NAME=HOST:PORT.
struct WallClock {
  std::string name;
  Endpoint server;
  bool operator==(const WallClock&) const = default;
};

struct ClockwallOptions {
  std::vector<WallClock> clocks;
  bool once = false;
  std::chrono::nanoseconds timeout = std::chrono::seconds(5);
  spdlog::level::level_enum log_level = spdlog::level::info;
};

// Bad usage: the message is the one line a program prints after its name, then exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// -h, --help or --version: `text` goes to stdout and the program exits 0.
struct EarlyExit {
  std::string text;
};

// Go's flag syntax on top of cxxopts: "-port" becomes "--port" (cxxopts would read it as
// "-p -o -r -t"); single letters, "--" and what follows it are left alone, and so is the
// argument after a flag named in `value_flags`, which is that flag's value ("-format -%H").
std::vector<std::string> go_style(std::vector<std::string> args,
                                  const std::set<std::string, std::less<>>& value_flags = {});

// The parsers proper: they throw UsageError or EarlyExit and touch nothing else.
// `args` are the arguments after the program's name.
ClockOptions parse_clock_options(const Program& program, const std::vector<std::string>& args);
ReverbOptions parse_reverb_options(const Program& program, const std::vector<std::string>& args);
DialOptions parse_dial_options(const Program& program, const std::vector<std::string>& args);
ClockwallOptions parse_clockwall_options(const Program& program,
                                         const std::vector<std::string>& args);

// What main calls: parse argv; print help, version or a usage error and exit; otherwise set up
// logging (and, for clocks, the time zone) and return the options.
ClockOptions clock_flags(const Program& program, int argc, char* argv[]);
ReverbOptions reverb_flags(const Program& program, int argc, char* argv[]);
DialOptions dial_flags(const Program& program, int argc, char* argv[]);
ClockwallOptions clockwall_flags(const Program& program, int argc, char* argv[]);

}  // namespace gonet
