// The flags the load generators share: -addr, -secs, -pid, on the project's own Go-style
// command line.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>

#include <asio/ip/tcp.hpp>

#include "common/cli/cxxopts.hpp"
#include "common/cli/program.hpp"

namespace bench {

struct LoadOptions {
  asio::ip::tcp::endpoint server;
  std::chrono::seconds secs{10};
  pid_t pid = 0;  // 0: no server figures
};

void add_load_flags(cxxopts::Options& options);
// Throws gonet::UsageError; -addr must be a numeric address (the generators dial no names).
LoadOptions load_flags(const cxxopts::ParseResult& result);

// Exits 2 with one line when `sockets` more descriptors would not fit under the limit.
void need_descriptors(const gonet::Program& program, std::size_t sockets);

}  // namespace bench
