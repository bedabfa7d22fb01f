// namesflood plays issue 18's attack on chat -names: N connections each send 64 KiB names, one
// after another as fast as the server takes them, and never read what it answers. Prints how
// much the server's memory grew at its peak (sampled every 50 ms). One JSON line on stdout.
//   namesflood -addr 127.0.0.1:8000 -conns 300 -secs 5 -pid PID
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/this_coro.hpp>
#include <asio/write.hpp>

#include "common/cli/command_line.hpp"
#include "common/cli/values.hpp"
#include "common/net/awaitable.hpp"
#include "tests/bench/load_options.hpp"
#include "tests/bench/process_stats.hpp"
#include "tests/bench/source_address.hpp"

namespace {

using asio::ip::tcp;
using std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Options {
  bench::LoadOptions load;
  std::size_t conns = 300;
};

Options parse(const gonet::Program& program, const std::vector<std::string>& args) {
  auto options = gonet::command_line(program);
  bench::add_load_flags(options);
  options.add_options("load")("conns", "connections sending names",
                              cxxopts::value<std::string>()->default_value("300"), "N");
  const auto result = gonet::parse(options, program, args);
  Options parsed;
  parsed.load = bench::load_flags(result);
  parsed.conns =
      gonet::parse_count<std::size_t>("conns", result["conns"].as<std::string>(), 1, 100'000);
  return parsed;
}

struct Run {
  steady_clock::time_point stop;
  std::size_t connected = 0;
  std::size_t bytes = 0;
};

asio::awaitable<void> send_names(tcp::endpoint server, std::size_t index, const std::string& name,
                                 Run& run) {
  tcp::socket socket(co_await asio::this_coro::executor);
  bench::open_from_spread_source(socket, server, index);
  if (auto [ec] = co_await socket.async_connect(server, gonet::use_nothrow); ec) co_return;
  ++run.connected;
  while (steady_clock::now() < run.stop) {
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(name), gonet::use_nothrow);
    run.bytes += n;
    if (ec) co_return;
  }
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"namesflood", "Sends 64 KiB names to chat -names, never reading."};
  const Options options = gonet::parse_or_exit(program, argc, argv, parse);
  bench::need_descriptors(program, options.conns);
  const std::string name = std::string(64 * 1024 - 1, 'n') + "\n";
  asio::io_context io(1);
  Run run;
  run.stop = steady_clock::now() + options.load.secs;
  const pid_t pid = options.load.pid;
  const long before = pid ? bench::resident_kib(pid) : -1;
  long peak = before;
  for (std::size_t i = 0; i < options.conns; ++i) {
    asio::co_spawn(io, send_names(options.load.server, i, name, run), asio::detached);
  }
  while (steady_clock::now() < run.stop) {
    io.run_for(50ms);
    if (pid) peak = std::max(peak, bench::resident_kib(pid));
  }
  bench::JsonLine json;
  json.add("generator", std::string("namesflood"))
      .add("conns", static_cast<long long>(options.conns))
      .add("secs", static_cast<long long>(options.load.secs.count()))
      .add("connected", static_cast<long long>(run.connected))
      .add("sent_mib", static_cast<double>(run.bytes) / (1 << 20));
  if (pid) json.add("server_rss_growth_mib", static_cast<double>(peak - before) / 1024);
  std::puts(json.str().c_str());
  return 0;
}
