#include "tests/bench/load_options.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/cli/values.hpp"
#include "common/text/address.hpp"
#include "tests/bench/process_stats.hpp"

namespace bench {

void add_load_flags(cxxopts::Options& options) {
  options.add_options("load")("addr", "the server, as a numeric HOST:PORT",
                              cxxopts::value<std::string>()->default_value("127.0.0.1:8000"),
                              "A")("secs", "how long to measure, after the warm-up",
                                   cxxopts::value<std::string>()->default_value("10"), "T")(
      "pid", "the server's process, for its memory and CPU (0: none)",
      cxxopts::value<std::string>()->default_value("0"), "PID");
}

LoadOptions load_flags(const cxxopts::ParseResult& result) {
  LoadOptions load;
  const auto& addr = result["addr"].as<std::string>();
  const auto endpoint = gonet::parse_host_port(addr);
  std::error_code ec;
  const auto address = endpoint ? asio::ip::make_address(endpoint->host, ec) : asio::ip::address();
  if (!endpoint || ec) gonet::bad_value("addr", addr, "want a numeric HOST:PORT");
  load.server = asio::ip::tcp::endpoint(address, endpoint->port);
  load.secs = std::chrono::seconds(
      gonet::parse_count<unsigned>("secs", result["secs"].as<std::string>(), 1, 600));
  load.pid = gonet::parse_count<pid_t>("pid", result["pid"].as<std::string>(), 0, 1 << 30);
  return load;
}

void need_descriptors(const gonet::Program& program, std::size_t sockets) {
  const std::size_t limit = raise_descriptor_limit();
  if (sockets + 64 <= limit) return;
  std::fprintf(stderr, "%.*s: %zu connections need %zu descriptors; the limit is %zu\n",
               static_cast<int>(program.name.size()), program.name.data(), sockets, sockets + 64,
               limit);
  std::exit(2);
}

}  // namespace bench
