// churn opens connections to a server as fast as W workers can, each: connect, read the first
// line (with -no-read: none), close; and measures the rate, the server's CPU per connection and,
// with -pid, the most descriptors it held at once. With -proxy-v2 each connection begins with a
// PROXY v2 header naming its own addresses, as HAProxy's send-proxy-v2 would (for a server's
// -proxy-protocol). One JSON line on stdout.
//   churn -addr 127.0.0.1:8000 -workers 16 -secs 10 -pid PID [-proxy-v2] [-no-read]
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/streambuf.hpp>
#include <asio/this_coro.hpp>
#include <asio/write.hpp>

#include "common/cli/command_line.hpp"
#include "common/cli/values.hpp"
#include "common/net/awaitable.hpp"
#include "tests/bench/load_options.hpp"
#include "tests/bench/process_stats.hpp"
#include "tests/bench/source_address.hpp"
#include "tests/support/proxy_headers.hpp"

namespace {

using asio::ip::tcp;
using std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Options {
  bench::LoadOptions load;
  std::size_t workers = 16;
  bool proxy_v2 = false;
  bool read = true;  // the first line before closing, as a person's nc does
};

Options parse(const gonet::Program& program, const std::vector<std::string>& args) {
  auto options = gonet::command_line(program);
  bench::add_load_flags(options);
  options.add_options("load")("workers", "connections in flight at once",
                              cxxopts::value<std::string>()->default_value("16"), "W")(
      "proxy-v2", "begin each connection with a PROXY v2 header, as HAProxy's send-proxy-v2")(
      "no-read", "close at once, reading nothing");
  const auto result = gonet::parse(options, program, args);
  Options parsed;
  parsed.load = bench::load_flags(result);
  parsed.workers =
      gonet::parse_count<std::size_t>("workers", result["workers"].as<std::string>(), 1, 1000);
  parsed.proxy_v2 = result["proxy-v2"].as<bool>();
  parsed.read = !result["no-read"].as<bool>();
  return parsed;
}

struct Run {
  steady_clock::time_point until;
  std::size_t completed = 0;  // connected, got a line, closed
  std::size_t failed = 0;
  long most_descriptors = 0;
};

// The header HAProxy would send for `socket`: its own address as the client's.
std::string proxy_v2_header(tcp::socket& socket) {
  const auto client = socket.local_endpoint();
  const auto server = socket.remote_endpoint();
  return testsupport::proxy_v2(
      0x21, client.address().is_v6() ? 0x21 : 0x11,
      testsupport::proxy_v2_addresses(client.address().to_string(), server.address().to_string(),
                                      client.port(), server.port()));
}

asio::awaitable<void> worker(tcp::endpoint server, const Options& options, Run& run) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer pause(executor);
  for (std::size_t dialled = 0; steady_clock::now() < run.until; ++dialled) {
    tcp::socket socket(executor);
    bench::open_from_spread_source(socket, server, dialled);
    if (auto [ec] = co_await socket.async_connect(server, gonet::use_nothrow); ec) {
      ++run.failed;
      pause.expires_after(1ms);  // not a spin when the server is gone
      co_await pause.async_wait(gonet::use_nothrow);
      continue;
    }
    if (options.proxy_v2) {
      const std::string header = proxy_v2_header(socket);
      if (auto [ec, n] =
              co_await asio::async_write(socket, asio::buffer(header), gonet::use_nothrow);
          ec) {
        ++run.failed;
        continue;
      }
    }
    if (!options.read) {
      ++run.completed;
      continue;  // closed here, reading nothing
    }
    asio::streambuf line;
    auto [ec, n] = co_await asio::async_read_until(socket, line, '\n', gonet::use_nothrow);
    if (ec) {
      ++run.failed;
    } else {
      ++run.completed;
    }
  }
}

asio::awaitable<void> watch_descriptors(pid_t pid, Run& run) {
  asio::steady_timer every(co_await asio::this_coro::executor);
  while (steady_clock::now() < run.until) {
    run.most_descriptors = std::max(run.most_descriptors, bench::open_descriptors(pid));
    every.expires_after(100ms);
    co_await every.async_wait(gonet::use_nothrow);
  }
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"churn", "Connects, reads a line and closes, as fast as it can."};
  const Options options = gonet::parse_or_exit(program, argc, argv, parse);
  bench::need_descriptors(program, options.workers);

  asio::io_context io(1);
  Run run;
  const pid_t pid = options.load.pid;
  const auto cpu_before = pid ? bench::cpu_time(pid) : bench::CpuTime{};
  const auto started = steady_clock::now();
  run.until = started + options.load.secs;
  for (std::size_t i = 0; i < options.workers; ++i) {
    asio::co_spawn(io, worker(options.load.server, options, run), asio::detached);
  }
  if (pid) asio::co_spawn(io, watch_descriptors(pid, run), asio::detached);
  io.run();
  const double seconds = std::chrono::duration<double>(steady_clock::now() - started).count();
  const auto cpu_used = pid ? bench::cpu_time(pid) - cpu_before : bench::CpuTime{};

  bench::JsonLine json;
  json.add("generator", std::string("churn"))
      .add("workers", static_cast<long long>(options.workers))
      .add("proxy_v2", static_cast<long long>(options.proxy_v2))
      .add("reads", static_cast<long long>(options.read))
      .add("secs", static_cast<long long>(options.load.secs.count()))
      .add("completed", static_cast<long long>(run.completed))
      .add("failed", static_cast<long long>(run.failed))
      .add("per_second", static_cast<double>(run.completed) / seconds);
  if (pid) {
    json.add("server_us_per_conn",
             run.completed == 0
                 ? 0.0
                 : std::chrono::duration<double, std::micro>(cpu_used.total()).count() /
                       static_cast<double>(run.completed))
        .add("server_most_descriptors", static_cast<long long>(run.most_descriptors));
  }
  std::puts(json.str().c_str());
  return 0;
}
