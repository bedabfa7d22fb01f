#pragma once

#include "common/cli/cxxopts.hpp"
#include "common/cli/program.hpp"
#include "common/net/serve_options.hpp"

namespace gonet {

// The flags every server has, in the help group "server": -port, -host, -max-conns,
// -max-conns-per-host, -max-accept-rate (the program's default), -proxy-protocol,
// -write-timeout, and -threads for a concurrent one.
void add_serve_flags(cxxopts::Options& options, const Program& program);

// Their values, checked; throws UsageError.
ServeOptions serve_flags(const cxxopts::ParseResult& result, const Program& program);

}  // namespace gonet
