// clockload holds N clients on a clock server and measures what the server does for them: how
// stale each tick is when it arrives (the kernel's receive time minus the start of the second the
// line names), how many clients were dropped or went silent, and, with -pid, the server's memory
// per client and its CPU; and how long one tick's burst of sends lasts (first to last arrival
// of the lines naming one second). One JSON line on stdout.
//   clockload -addr 127.0.0.1:8000 -conns 19900 -secs 15 -pid PID [-spread 1s]
// The server must send "%H:%M:%S" lines in UTC (TZ=UTC, the default format).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>

#include "common/cli/command_line.hpp"
#include "common/cli/values.hpp"
#include "common/net/awaitable.hpp"
#include "tests/bench/load_options.hpp"
#include "tests/bench/process_stats.hpp"
#include "tests/bench/source_address.hpp"
#include "tests/bench/timestamped_read.hpp"

namespace {

using asio::ip::tcp;
using std::chrono::steady_clock;
using std::chrono::system_clock;
using namespace std::chrono_literals;

struct Options {
  bench::LoadOptions load;
  std::size_t conns = 1000;
  std::chrono::nanoseconds spread = 1s;
};

Options parse(const gonet::Program& program, const std::vector<std::string>& args) {
  auto options = gonet::command_line(program);
  bench::add_load_flags(options);
  options.add_options("load")("conns", "clients to hold",
                              cxxopts::value<std::string>()->default_value("1000"), "N")(
      "spread", "dial the clients over this long, so that they start at every phase of a second",
      cxxopts::value<std::string>()->default_value("1s"), "D");
  const auto result = gonet::parse(options, program, args);
  Options parsed;
  parsed.load = bench::load_flags(result);
  parsed.conns =
      gonet::parse_count<std::size_t>("conns", result["conns"].as<std::string>(), 1, 1'000'000);
  parsed.spread = gonet::parse_duration_flag("spread", result["spread"].as<std::string>());
  return parsed;
}

// Seconds since midnight UTC named by "HH:MM:SS"; -1 if the line is not that.
int second_of_day(std::string_view line) {
  if (line.size() != 8 || line[2] != ':' || line[5] != ':') return -1;
  auto two = [&](std::size_t at) { return (line[at] - '0') * 10 + (line[at + 1] - '0'); };
  return two(0) * 3600 + two(3) * 60 + two(6);
}

struct Run {
  steady_clock::time_point measure_from;
  steady_clock::time_point measure_until;
  std::size_t established = 0;
  std::size_t failed = 0;   // could not connect
  std::size_t dropped = 0;  // the server ended the connection
  std::size_t garbled = 0;  // a line that is not a time
  std::vector<double> staleness_ms;
  // Per second named: the first and the last arrival, how long one tick's sends took.
  std::map<int, std::pair<double, double>> burst;
  std::vector<steady_clock::time_point> last_tick;  // per client

  void tick(std::size_t client, std::string_view line, system_clock::time_point at) {
    const auto now = steady_clock::now();
    last_tick[client] = now;
    if (now < measure_from || now >= measure_until) return;
    const int named = second_of_day(line);
    if (named < 0) {
      ++garbled;
      return;
    }
    const auto since_epoch = at.time_since_epoch();
    const double arrived =
        std::chrono::duration<double>(since_epoch % std::chrono::hours(24)).count();
    double stale = arrived - named;
    if (stale < -43200) stale += 86400;  // the line named the second before midnight
    staleness_ms.push_back(stale * 1000);
    auto [at_second, fresh] = burst.try_emplace(named, stale, stale);
    if (!fresh) {
      at_second->second.first = std::min(at_second->second.first, stale);
      at_second->second.second = std::max(at_second->second.second, stale);
    }
  }
};

asio::awaitable<void> hold(tcp::endpoint server, std::chrono::nanoseconds after, std::size_t id,
                           Run& run) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer start(executor, after);
  co_await start.async_wait(gonet::use_nothrow);
  tcp::socket socket(executor);
  bench::open_from_spread_source(socket, server, id);
  if (auto [ec] = co_await socket.async_connect(server, gonet::use_nothrow); ec) {
    ++run.failed;
    co_return;
  }
  bench::ask_for_receive_times(socket.native_handle());
  ++run.established;
  const auto on_line = [&run, id](std::string_view line, system_clock::time_point at) {
    run.tick(id, line, at);
  };
  // 512 bytes a read: tens of thousands of clients each hold a buffer.
  if (co_await bench::read_timed_lines<512>(socket, on_line)) ++run.dropped;
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"clockload", "Holds N clients on a clock server and measures it."};
  const Options options = gonet::parse_or_exit(program, argc, argv, parse);
  bench::need_descriptors(program, options.conns);

  asio::io_context io(1);
  Run run;
  run.last_tick.assign(options.conns, steady_clock::time_point{});
  const pid_t pid = options.load.pid;
  const long rss_before = pid ? bench::resident_kib(pid) : -1;
  const auto started = steady_clock::now();
  for (std::size_t i = 0; i < options.conns; ++i) {
    const auto after = options.spread * static_cast<long>(i) / static_cast<long>(options.conns);
    asio::co_spawn(io, hold(options.load.server, after, i, run), asio::detached);
  }
  // Every client dialled, and a second more for the stragglers, before measuring.
  run.measure_from = started + options.spread + 2s;
  run.measure_until = run.measure_from + options.load.secs;
  io.run_until(run.measure_from);
  const long rss_loaded = pid ? bench::resident_kib(pid) : -1;
  const auto cpu_before = pid ? bench::cpu_time(pid) : bench::CpuTime{};
  io.run_until(run.measure_until);
  const auto cpu_used = pid ? bench::cpu_time(pid) - cpu_before : bench::CpuTime{};

  std::size_t silent = 0;  // held, but no tick in the last two seconds
  for (const auto& last : run.last_tick) {
    if (last < run.measure_until - 2s) ++silent;
  }
  const std::size_t ticks = run.staleness_ms.size();
  std::vector<double> burst_ms;
  for (const auto& [second, span] : run.burst)
    burst_ms.push_back((span.second - span.first) * 1000);
  bench::JsonLine json;
  json.add("generator", std::string("clockload"))
      .add("conns", static_cast<long long>(options.conns))
      .add("secs", static_cast<long long>(options.load.secs.count()))
      .add("established", static_cast<long long>(run.established))
      .add("failed", static_cast<long long>(run.failed))
      .add("dropped", static_cast<long long>(run.dropped))
      .add("silent", static_cast<long long>(silent))
      .add("garbled", static_cast<long long>(run.garbled))
      .add("ticks", static_cast<long long>(ticks))
      .add("stale_p50_ms", bench::percentile(run.staleness_ms, 50))
      .add("stale_p99_ms", bench::percentile(run.staleness_ms, 99))
      .add("stale_max_ms", bench::percentile(run.staleness_ms, 100))
      .add("burst_p50_ms", bench::percentile(burst_ms, 50));
  if (pid) {
    json.add("server_kib_per_client",
             static_cast<double>(rss_loaded - rss_before) / static_cast<double>(options.conns));
    bench::add_server_cpu(json, cpu_used, options.load.secs);
  }
  std::puts(json.str().c_str());
  return 0;
}
