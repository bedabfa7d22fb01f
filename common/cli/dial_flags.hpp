#pragma once

#include <string>
#include <vector>

#include <spdlog/common.h>

#include "common/cli/program.hpp"
#include "common/text/address.hpp"
#include "common/tls/tls_options.hpp"

namespace gonet {

// What a client that dials one server is told: the server, over TLS or not, and how much to log.
struct DialOptions {
  Endpoint server{"localhost", 8000};
  TlsOptions tls;
  spdlog::level::level_enum log_level = spdlog::level::info;
};

// The server as HOST:PORT, HOST PORT or -host/-port (default localhost:8000), and the TLS
// flags (tls_flags.hpp); throws
// UsageError or EarlyExit. `args` are the arguments after the program's name.
DialOptions parse_dial_options(const Program& program, const std::vector<std::string>& args);

}  // namespace gonet
