// reverbload holds N connections on an echo server, each shouting R lines a second, and checks
// every echo: its content (upper case, as sent, lower case), its order, and its timing against
// the send time + 0, delay and 2 x delay (the kernel's receive time, not the generator's). Counts
// garbled and missing echoes and, with -pid, the server's memory per connection and its CPU.
// One JSON line on stdout.
//   reverbload -addr 127.0.0.1:8000 -conns 5000 -rate 1 -secs 10 -delay 1s -pid PID
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/write.hpp>

#include "common/cli/command_line.hpp"
#include "common/cli/values.hpp"
#include "common/net/awaitable.hpp"
#include "common/net/either.hpp"
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
  std::size_t conns = 100;
  double rate = 1;  // lines per second per connection
  std::chrono::nanoseconds delay = 1s;
};

Options parse(const gonet::Program& program, const std::vector<std::string>& args) {
  auto options = gonet::command_line(program);
  bench::add_load_flags(options);
  options.add_options("load")("conns", "connections to hold",
                              cxxopts::value<std::string>()->default_value("100"),
                              "N")("rate", "lines a second each connection shouts (1 to 1000)",
                                   cxxopts::value<std::string>()->default_value("1"), "R")(
      "delay", "the server's -delay", cxxopts::value<std::string>()->default_value("1s"), "D");
  const auto result = gonet::parse(options, program, args);
  Options parsed;
  parsed.load = bench::load_flags(result);
  parsed.conns =
      gonet::parse_count<std::size_t>("conns", result["conns"].as<std::string>(), 1, 1'000'000);
  parsed.rate = gonet::parse_count<unsigned>("rate", result["rate"].as<std::string>(), 1, 1000);
  parsed.delay = gonet::parse_duration_flag("delay", result["delay"].as<std::string>());
  return parsed;
}

// What one connection shouted: "Hello c<conn> n<seq>", mixed case so that the three parts of
// its echo differ, and when each went out.
struct Shout {
  system_clock::time_point sent;
  int parts_seen = 0;  // 0..3, in order
};

struct Run {
  std::chrono::nanoseconds delay;
  steady_clock::time_point measure_from;
  steady_clock::time_point stop_sending;
  std::size_t established = 0;
  std::size_t failed = 0;
  std::size_t dropped = 0;
  std::size_t garbled = 0;               // not an echo of anything sent, or a part out of order
  std::size_t shouts = 0;                // sent while measuring
  std::vector<std::vector<Shout>> sent;  // per connection, by seq
  std::vector<std::vector<bool>> measured;
  std::vector<double> error_ms;

  void echo(std::size_t conn, std::string_view line, system_clock::time_point at) {
    const auto heard = parse_echo(line);
    if (!heard || heard->conn != conn || heard->seq >= sent[conn].size() ||
        sent[conn][heard->seq].parts_seen != heard->part) {
      ++garbled;
      return;
    }
    Shout& shout = sent[conn][heard->seq];
    ++shout.parts_seen;
    if (!measured[conn][heard->seq]) return;
    const auto due = shout.sent + heard->part * delay;
    error_ms.push_back(std::abs(std::chrono::duration<double, std::milli>(at - due).count()));
  }

  struct Heard {
    int part;  // 0 upper case, 1 as sent, 2 lower case
    std::size_t conn;
    std::size_t seq;
  };

  // "\t HELLO C1 N2", "\t Hello c1 n2" or "\t hello c1 n2"; nullopt for anything else.
  static std::optional<Heard> parse_echo(std::string_view line) {
    constexpr std::string_view kParts[] = {"\t HELLO C", "\t Hello c", "\t hello c"};
    for (int part = 0; part < 3; ++part) {
      if (!line.starts_with(kParts[part])) continue;
      line.remove_prefix(kParts[part].size());
      Heard heard{part, 0, 0};
      const char* end = line.data() + line.size();
      auto [after_conn, ec] = std::from_chars(line.data(), end, heard.conn);
      const std::string_view n = part == 0 ? " N" : " n";
      if (ec != std::errc{} || std::string_view(after_conn, end - after_conn).substr(0, 2) != n) {
        return std::nullopt;
      }
      auto [after_seq, ec2] = std::from_chars(after_conn + 2, end, heard.seq);
      if (ec2 != std::errc{} || after_seq != end) return std::nullopt;
      return heard;
    }
    return std::nullopt;
  }
};

asio::awaitable<void> read_echoes(tcp::socket& socket, std::size_t conn, Run& run) {
  const auto on_line = [&run, conn](std::string_view line, system_clock::time_point at) {
    run.echo(conn, line, at);
  };
  if (co_await bench::read_timed_lines<4096>(socket, on_line)) ++run.dropped;
}

asio::awaitable<void> shout(tcp::socket& socket, std::size_t conn, std::chrono::nanoseconds phase,
                            std::chrono::nanoseconds every, Run& run) {
  asio::steady_timer next(socket.get_executor(), steady_clock::now() + phase);
  for (std::size_t seq = 0;; ++seq) {
    co_await next.async_wait(gonet::use_nothrow);
    if (next.expiry() >= run.stop_sending) co_return;
    const bool measure = next.expiry() >= run.measure_from;
    run.sent[conn].push_back(Shout{system_clock::now()});
    run.measured[conn].push_back(measure);
    if (measure) ++run.shouts;
    const std::string line = "Hello c" + std::to_string(conn) + " n" + std::to_string(seq) + "\n";
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(line), gonet::use_nothrow);
    if (ec) co_return;
    next.expires_at(next.expiry() + every);
  }
}

asio::awaitable<void> hold(tcp::endpoint server, std::chrono::nanoseconds phase,
                           std::chrono::nanoseconds every, std::size_t conn, Run& run) {
  const auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  bench::open_from_spread_source(socket, server, conn);
  if (auto [ec] = co_await socket.async_connect(server, gonet::use_nothrow); ec) {
    ++run.failed;
    co_return;
  }
  std::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  bench::ask_for_receive_times(socket.native_handle());
  ++run.established;
  co_await gonet::both(shout(socket, conn, phase, every, run), read_echoes(socket, conn, run));
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"reverbload", "Shouts at an echo server and checks every echo."};
  const Options options = gonet::parse_or_exit(program, argc, argv, parse);
  bench::need_descriptors(program, options.conns);

  asio::io_context io(1);
  Run run;
  run.delay = options.delay;
  run.sent.resize(options.conns);
  run.measured.resize(options.conns);
  const pid_t pid = options.load.pid;
  const long rss_before = pid ? bench::resident_kib(pid) : -1;
  const auto every = std::chrono::nanoseconds(static_cast<long long>(1e9 / options.rate));
  const auto started = steady_clock::now();
  // Dialled over a second, shouting at every phase of the interval; measured once all shout.
  run.measure_from = started + 2s + 2 * options.delay;
  run.stop_sending = run.measure_from + options.load.secs;
  for (std::size_t i = 0; i < options.conns; ++i) {
    const auto phase = every * static_cast<long>(i) / static_cast<long>(options.conns);
    asio::co_spawn(io, hold(options.load.server, 1s + phase, every, i, run), asio::detached);
  }
  io.run_until(run.measure_from);
  const auto cpu_before = pid ? bench::cpu_time(pid) : bench::CpuTime{};
  long rss_peak = 0;
  while (steady_clock::now() < run.stop_sending) {
    io.run_for(500ms);
    if (pid) rss_peak = std::max(rss_peak, bench::resident_kib(pid));
  }
  const auto cpu_used = pid ? bench::cpu_time(pid) - cpu_before : bench::CpuTime{};
  // The last shouts' echoes, and a margin.
  io.run_until(run.stop_sending + 2 * options.delay + 500ms);

  std::size_t missing = 0;  // parts of measured shouts that never came
  for (std::size_t c = 0; c < options.conns; ++c) {
    for (std::size_t s = 0; s < run.sent[c].size(); ++s) {
      if (run.measured[c][s]) missing += 3 - static_cast<std::size_t>(run.sent[c][s].parts_seen);
    }
  }
  const std::size_t echoes = run.error_ms.size();
  bench::JsonLine json;
  json.add("generator", std::string("reverbload"))
      .add("conns", static_cast<long long>(options.conns))
      .add("secs", static_cast<long long>(options.load.secs.count()))
      .add("established", static_cast<long long>(run.established))
      .add("failed", static_cast<long long>(run.failed))
      .add("dropped", static_cast<long long>(run.dropped))
      .add("shouts", static_cast<long long>(run.shouts))
      .add("echo_parts", static_cast<long long>(echoes))
      .add("garbled", static_cast<long long>(run.garbled))
      .add("missing", static_cast<long long>(missing))
      .add("error_p50_ms", bench::percentile(run.error_ms, 50))
      .add("error_p99_ms", bench::percentile(run.error_ms, 99))
      .add("error_max_ms", bench::percentile(run.error_ms, 100));
  if (pid) {
    json.add("server_kib_per_conn",
             static_cast<double>(rss_peak - rss_before) / static_cast<double>(options.conns));
    bench::add_server_cpu(json, cpu_used, options.load.secs);
  }
  std::puts(json.str().c_str());
  return 0;
}
