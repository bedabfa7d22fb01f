#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "common/cli/program.hpp"
#include "common/net/serve_options.hpp"

namespace gonet {

// An echo server's options: the server's, and how it echoes (help group "reverb").
struct ReverbOptions {
  ServeOptions serve;
  std::chrono::nanoseconds delay = std::chrono::seconds(1);
  std::chrono::nanoseconds idle_timeout{0};  // 0: off
  std::size_t max_line = 65536;
};

// Throws UsageError or EarlyExit; `args` are the arguments after the program's name.
ReverbOptions parse_reverb_options(const Program& program, const std::vector<std::string>& args);

}  // namespace gonet
