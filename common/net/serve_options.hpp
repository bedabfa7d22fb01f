#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <spdlog/common.h>

#include "common/text/address.hpp"

namespace gonet {

// How a server listens and treats its clients, whatever it serves.
struct ServeOptions {
  Endpoint listen{"localhost", 8000};
  std::size_t max_conns = 0;           // 0: no cap but the descriptor limit
  std::size_t max_conns_per_host = 0;  // from one address; 0: no cap
  std::size_t max_accept_rate = 0;     // new connections taken a second; 0: no cap
  unsigned threads = 1;                // event loops
  std::chrono::nanoseconds write_timeout = std::chrono::seconds(30);
  bool proxy_protocol = false;  // behind a load balancer: each connection names its client
  spdlog::level::level_enum log_level = spdlog::level::info;
  std::vector<std::string> warnings;  // flags given that do nothing here, said as it starts
};

}  // namespace gonet
