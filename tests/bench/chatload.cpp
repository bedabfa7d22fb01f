// chatload holds N clients on a chat server, all reading, S of them each sending R timestamped
// messages a second, and checks every delivery: each client must get every message of the
// measured window, in each sender's order. The fan-out latency is the kernel's receive time at
// the reader minus the send time (not the generator's own reading time). Counts deliveries
// expected and received, skipped notices and the messages they covered, and, with -pid, the
// server's memory per client and its CPU. One JSON line on stdout.
//
// The arrivals are measured too: the N clients connect at once, or spread over -arrive, and the
// time until every client has heard of every arrival after its own is arrival_secs (with the
// server's CPU for it). -storm adds a newcomer right behind them and times its "You are";
// -senders 0 ends there. -churn C adds C connect/close cycles a second beside the room while it
// chats (each waits for its "You are", then closes); -churn-workers W instead connects and closes
// at once, as fast as W at once can, from one address or 64 (-churn-from), as a hostile client
// would. own_p50/p99 are the senders' own lines back to them. -ncat reads ncat --chat's lines
// instead. -addrs A,B,C spreads the clients over several nodes of one room (chat -redis), client i
// on node i mod 3, and checks that every reader who got every message got them in one order.
//   chatload -addr 127.0.0.1:8000 -conns 500 -senders 10 -rate 10 -secs 10 -pid PID
//   chatload -addr 127.0.0.1:8000 -conns 2000 -arrive 1s -senders 10 -rate 5 -secs 10 -pid PID
//   chatload -addr 127.0.0.1:8000 -conns 3000 -storm -senders 0 -pid PID
//   chatload -addr 127.0.0.1:8000 -conns 1000 -senders 10 -rate 5 -churn 500 -secs 10 -pid PID
#include <algorithm>
#include <charconv>
#include <chrono>
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
#include "common/text/address.hpp"
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
  std::size_t senders = 10;
  double rate = 10;                    // messages a second per sender
  std::chrono::nanoseconds arrive{0};  // the conns connect spread over this long
  bool storm = false;                  // a newcomer right behind the conns
  unsigned churn = 0;                  // connect/close cycles a second while the room chats
  unsigned churn_workers = 0;          // or as many as this many at once can make
  bool churn_from_one = false;         // all from 127.0.0.1, not 64 loopback addresses
  bool ncat = false;                   // the server is ncat --chat, which speaks otherwise
  std::vector<tcp::endpoint> nodes;    // -addrs: the room's nodes; else -addr alone
};

Options parse(const gonet::Program& program, const std::vector<std::string>& args) {
  auto options = gonet::command_line(program);
  bench::add_load_flags(options);
  options.add_options("load")("conns", "clients to hold, all reading",
                              cxxopts::value<std::string>()->default_value("100"),
                              "N")("senders", "how many of them send; 0: measure the arrivals only",
                                   cxxopts::value<std::string>()->default_value("10"),
                                   "S")("rate", "messages a second each sender sends (1 to 1000)",
                                        cxxopts::value<std::string>()->default_value("10"), "R")(
      "arrive", "connect the clients spread over this long; 0: all at once",
      cxxopts::value<std::string>()->default_value("0"),
      "D")("storm", "a newcomer right behind the clients: time its \"You are\"")(
      "churn", "connect/close cycles a second beside the room while it chats",
      cxxopts::value<std::string>()->default_value("0"),
      "C")("churn-workers",
           "connect and close at once, as fast as W at a time can, beside the room while it chats",
           cxxopts::value<std::string>()->default_value("0"),
           "W")("churn-from", "where the cycles come from: one (127.0.0.1) or many (64 addresses)",
                cxxopts::value<std::string>()->default_value("many"),
                "F")("ncat",
                     "the server is ncat --chat: \"<announce> ... is connected as <userN>.\" for "
                     "arrivals, \"<userN> \" before a read's lines, no copy to the sender")(
      "addrs", "the nodes of one room (chat -redis), comma-separated: client i on node i mod N",
      cxxopts::value<std::string>(), "A,B,...");
  const auto result = gonet::parse(options, program, args);
  Options parsed;
  parsed.load = bench::load_flags(result);
  parsed.conns =
      gonet::parse_count<std::size_t>("conns", result["conns"].as<std::string>(), 1, 1'000'000);
  parsed.senders = gonet::parse_count<std::size_t>("senders", result["senders"].as<std::string>(),
                                                   0, parsed.conns);
  parsed.rate = gonet::parse_count<unsigned>("rate", result["rate"].as<std::string>(), 1, 1000);
  parsed.arrive = gonet::parse_duration_flag("arrive", result["arrive"].as<std::string>());
  parsed.storm = result["storm"].as<bool>();
  parsed.churn = gonet::parse_count<unsigned>("churn", result["churn"].as<std::string>(), 0, 10000);
  parsed.churn_workers = gonet::parse_count<unsigned>(
      "churn-workers", result["churn-workers"].as<std::string>(), 0, 1000);
  const auto& from = result["churn-from"].as<std::string>();
  if (from != "one" && from != "many") gonet::bad_value("churn-from", from, "want one or many");
  parsed.churn_from_one = from == "one";
  parsed.ncat = result["ncat"].as<bool>();
  parsed.nodes = {parsed.load.server};
  if (result.count("addrs") > 0) {
    parsed.nodes.clear();
    std::string_view list = result["addrs"].as<std::string>();
    while (!list.empty()) {
      const auto comma = list.find(',');
      const std::string one(list.substr(0, comma));
      const auto endpoint = gonet::parse_host_port(one);
      std::error_code ec;
      const auto address =
          endpoint ? asio::ip::make_address(endpoint->host, ec) : asio::ip::address{};
      if (!endpoint || ec) gonet::bad_value("addrs", one, "want numeric HOST:PORT,HOST:PORT");
      parsed.nodes.emplace_back(address, endpoint->port);
      list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
    }
  }
  return parsed;
}

struct Sent {
  system_clock::time_point at;
  bool measured;
};

struct Run {
  bool ncat = false;
  std::size_t conns = 0;  // readers, the newcomer included
  std::optional<std::size_t> newcomer;
  steady_clock::time_point measure_from;
  steady_clock::time_point stop_sending;
  std::size_t established = 0;
  std::size_t greeted = 0;
  std::size_t failed = 0;
  std::size_t dropped = 0;
  std::size_t garbled = 0;            // a message nobody sent, or out of its sender's order
  std::size_t notices = 0;            // "(N messages skipped)" lines
  std::size_t skipped = 0;            // the N of them
  std::size_t messages = 0;           // sent while measuring
  std::size_t delivered = 0;          // of those, received by a client
  std::size_t arrivals_heard = 0;     // "NAME has arrived" lines, all readers together
  std::size_t arrivals_expected = 0;  // each reader hears of every later one: N(N-1)/2
  std::optional<system_clock::time_point> all_arrived;  // when the last of them came
  std::optional<system_clock::time_point> newcomer_greeted;
  std::size_t churned = 0;
  std::size_t churn_failed = 0;
  std::vector<tcp::socket*> senders;           // while connected
  std::vector<std::vector<Sent>> sent;         // per sender, by seq
  std::vector<std::vector<std::size_t>> next;  // per reader, per sender: the next seq expected
  std::vector<bool> greeted_reader;            // per reader
  std::vector<double> latency_ms;
  std::vector<double> own_latency_ms;  // a sender's own line back to it
  // Per reader, the measured messages in the order it got them, folded into one number, and how
  // many: readers who got all of them must agree on the number.
  std::vector<std::uint64_t> order;
  std::vector<std::size_t> order_count;

  void greeting(std::size_t reader, system_clock::time_point at) {
    if (greeted_reader[reader]) return;
    greeted_reader[reader] = true;
    ++greeted;
    if (reader == newcomer) newcomer_greeted = at;
  }

  void arrival(system_clock::time_point at) {
    if (++arrivals_heard == arrivals_expected) all_arrived = at;
  }

  // "NAME: s<sender> n<seq>", and the chat's own lines, which are not counted. ncat --chat
  // announces everyone, the newcomer included ("<announce> HOST is connected as <userN>."), and
  // puts "<userN> " before the first line of each read only.
  void line(std::size_t reader, std::string_view text, system_clock::time_point at) {
    if (text.starts_with("(") && text.ends_with(" messages skipped)")) {
      ++notices;
      std::size_t n = 0;
      std::from_chars(text.data() + 1, text.data() + text.size(), n);
      skipped += n;
      return;
    }
    if (ncat) {
      if (text.starts_with("<announce> ")) {
        if (text.find(" is connected as <") != std::string_view::npos) {
          greeting(reader, at);
          arrival(at);
        }
        return;
      }
      if (text.starts_with("<")) {
        const auto name_end = text.find("> ");
        text.remove_prefix(name_end == std::string_view::npos ? text.size() : name_end + 2);
      }
    } else {
      const auto colon = text.rfind(": s");
      if (colon == std::string_view::npos) {
        if (text.starts_with("You are ")) {
          greeting(reader, at);
        } else if (text.ends_with(" has arrived")) {
          arrival(at);
        }
        return;  // departures
      }
      text.remove_prefix(colon + 2);
    }
    if (!text.starts_with("s")) {
      ++garbled;
      return;
    }
    std::size_t sender = 0;
    std::size_t seq = 0;
    const char* end = text.data() + text.size();
    auto [after, ec] = std::from_chars(text.data() + 1, end, sender);
    if (ec != std::errc{} || end - after < 3 || std::string_view(after, 2) != " n" ||
        sender >= sent.size()) {
      ++garbled;
      return;
    }
    auto [last, ec2] = std::from_chars(after + 2, end, seq);
    // Skips may leave gaps; a message out of order, or one never sent, is garbled.
    if (ec2 != std::errc{} || last != end || seq >= sent[sender].size() ||
        seq < next[reader][sender]) {
      ++garbled;
      return;
    }
    next[reader][sender] = seq + 1;
    const Sent& message = sent[sender][seq];
    if (!message.measured) return;
    order[reader] = (order[reader] ^ (sender << 32 | seq)) * 1099511628211ull;
    ++order_count[reader];
    ++delivered;
    latency_ms.push_back(std::chrono::duration<double, std::milli>(at - message.at).count());
    if (reader == sender) own_latency_ms.push_back(latency_ms.back());
  }
};

asio::awaitable<void> read_all(tcp::socket& socket, std::size_t reader, Run& run) {
  const auto on_line = [&run, reader](std::string_view line, system_clock::time_point at) {
    run.line(reader, line, at);
  };
  if (co_await bench::read_timed_lines<16384>(socket, on_line)) ++run.dropped;
}

asio::awaitable<void> send(tcp::socket& socket, std::size_t sender, std::chrono::nanoseconds phase,
                           std::chrono::nanoseconds every, Run& run) {
  // A second unmeasured, so that every sender is sending when the window opens.
  asio::steady_timer next(socket.get_executor(), run.measure_from - 1s + phase);
  for (std::size_t seq = 0;; ++seq) {
    co_await next.async_wait(gonet::use_nothrow);
    if (next.expiry() >= run.stop_sending) co_return;
    const bool measured = next.expiry() >= run.measure_from;
    run.sent[sender].push_back(Sent{system_clock::now(), measured});
    if (measured) ++run.messages;
    const std::string line = "s" + std::to_string(sender) + " n" + std::to_string(seq) + "\n";
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(line), gonet::use_nothrow);
    if (ec) co_return;
    next.expires_at(next.expiry() + every);
  }
}

asio::awaitable<void> hold(tcp::endpoint server, std::size_t conn, steady_clock::time_point at,
                           Run& run) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer start(executor, at);
  co_await start.async_wait(gonet::use_nothrow);
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
  if (conn < run.senders.size()) run.senders[conn] = &socket;
  co_await read_all(socket, conn, run);
  if (conn < run.senders.size()) run.senders[conn] = nullptr;
}

// One connect/close cycle beside the room: connect, wait for "You are", close.
asio::awaitable<void> come_and_go(tcp::endpoint server, std::size_t index, Run& run) {
  tcp::socket socket(co_await asio::this_coro::executor);
  bench::open_from_spread_source(socket, server, index);
  auto [ec] = co_await socket.async_connect(server, gonet::use_nothrow);
  char greeting[256];
  std::size_t got = 0;
  while (!ec && std::find(greeting, greeting + got, '\n') == greeting + got && got < 256) {
    std::size_t n = 0;
    std::tie(ec, n) = co_await socket.async_read_some(
        asio::buffer(greeting + got, sizeof greeting - got), gonet::use_nothrow);
    got += n;
  }
  ++(ec ? run.churn_failed : run.churned);
}

asio::awaitable<void> churn(tcp::endpoint server, unsigned per_second, std::size_t first_index,
                            Run& run) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer next(executor, run.measure_from - 1s);
  const auto every = std::chrono::nanoseconds(1'000'000'000 / per_second);
  for (std::size_t i = first_index; next.expiry() < run.stop_sending; ++i) {
    co_await next.async_wait(gonet::use_nothrow);
    asio::co_spawn(executor, come_and_go(server, i, run), asio::detached);
    next.expires_at(next.expiry() + every);
  }
}

// One of -churn-workers: connect and close at once, reading nothing, a cycle after another as
// fast as they go. A connect counts when the kernel has completed it: the server may take it from
// its listen queue later (-max-accept-rate).
asio::awaitable<void> churn_worker(tcp::endpoint server, std::size_t index, std::size_t step,
                                   bool from_one, Run& run) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer start(executor, run.measure_from - 1s);
  co_await start.async_wait(gonet::use_nothrow);
  for (; steady_clock::now() < run.stop_sending; index += step) {
    tcp::socket socket(executor);
    if (from_one) {
      socket.open(server.protocol());
    } else {
      bench::open_from_spread_source(socket, server, index);
    }
    auto [ec] = co_await socket.async_connect(server, gonet::use_nothrow);
    ++(ec ? run.churn_failed : run.churned);
  }
}

double seconds(steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Readers who got every measured message and not in the order the first of them did.
std::size_t order_mismatches(const Run& run) {
  std::optional<std::uint64_t> one;
  std::size_t mismatches = 0;
  for (std::size_t reader = 0; reader < run.order.size(); ++reader) {
    if (run.order_count[reader] != run.messages) continue;
    if (!one) one = run.order[reader];
    if (run.order[reader] != *one) ++mismatches;
  }
  return mismatches;
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"chatload", "Chats on a chat server and checks every delivery."};
  const Options options = gonet::parse_or_exit(program, argc, argv, parse);
  bench::need_descriptors(program, options.conns + 1 + options.churn + options.churn_workers);

  asio::io_context io(1);
  Run run;
  run.ncat = options.ncat;
  run.conns = options.conns + (options.storm ? 1 : 0);
  if (options.storm) run.newcomer = options.conns;
  // Each hears of every later arrival; ncat announces its own to the newcomer too.
  run.arrivals_expected = run.conns * (run.conns - 1) / 2 + (options.ncat ? run.conns : 0);
  run.greeted_reader.assign(run.conns, false);
  run.sent.resize(options.senders);
  run.senders.resize(options.senders);
  run.next.assign(run.conns, std::vector<std::size_t>(options.senders, 0));
  run.order.assign(run.conns, 14695981039346656037ull);
  run.order_count.assign(run.conns, 0);
  const pid_t pid = options.load.pid;
  const long rss_before = pid ? bench::resident_kib(pid) : -1;
  const auto cpu_at_start = pid ? bench::cpu_time(pid) : bench::CpuTime{};
  // The arrivals: every client connects at once, or spread over -arrive; with -storm a newcomer
  // follows once they all have connected. Then until each has heard of every later arrival.
  const auto dial_from = steady_clock::now();
  const auto dial_from_wall = system_clock::now();
  run.measure_from = steady_clock::time_point::max();
  run.stop_sending = steady_clock::time_point::max();
  for (std::size_t i = 0; i < options.conns; ++i) {
    const auto at = dial_from + options.arrive * static_cast<long>(i) /
                                    static_cast<long>(std::max<std::size_t>(options.conns, 1));
    asio::co_spawn(io, hold(options.nodes[i % options.nodes.size()], i, at, run), asio::detached);
  }
  while (run.established + run.failed < options.conns && steady_clock::now() - dial_from < 120s) {
    io.run_for(1ms);
  }
  system_clock::time_point newcomer_from{};
  if (run.newcomer) {
    newcomer_from = system_clock::now();
    asio::co_spawn(io, hold(options.load.server, *run.newcomer, steady_clock::now(), run),
                   asio::detached);
  }
  // Until every client is greeted and has heard every arrival: at most two minutes, and no
  // longer than a client is still connected (a server that quit has answered).
  const auto waiting = [&] {
    return run.dropped < run.established && steady_clock::now() - dial_from < 120s;
  };
  while (run.greeted + run.failed < run.conns && waiting()) io.run_for(10ms);
  const auto dialled = steady_clock::now();
  while (!run.all_arrived && waiting()) io.run_for(10ms);
  const auto arrival_cpu = pid ? bench::cpu_time(pid) - cpu_at_start : bench::CpuTime{};
  io.run_for(1s);
  const long rss_connected = pid ? bench::resident_kib(pid) : -1;

  // The chat, measured after a second unmeasured, with -churn beside it.
  bench::CpuTime cpu_used{};
  if (options.senders > 0) {
    const auto every = std::chrono::nanoseconds(static_cast<long long>(1e9 / options.rate));
    run.measure_from = steady_clock::now() + 1s;
    run.stop_sending = run.measure_from + options.load.secs;
    for (std::size_t i = 0; i < options.senders; ++i) {
      if (run.senders[i] == nullptr) continue;
      const auto phase = every * static_cast<long>(i) / static_cast<long>(options.senders);
      asio::co_spawn(io, send(*run.senders[i], i, phase, every, run), asio::detached);
    }
    if (options.churn > 0) {
      asio::co_spawn(io, churn(options.load.server, options.churn, run.conns, run), asio::detached);
    }
    for (std::size_t w = 0; w < options.churn_workers; ++w) {
      asio::co_spawn(io,
                     churn_worker(options.load.server, run.conns + w, options.churn_workers,
                                  options.churn_from_one, run),
                     asio::detached);
    }
    io.run_until(run.measure_from);
    const auto cpu_before = pid ? bench::cpu_time(pid) : bench::CpuTime{};
    while (steady_clock::now() < run.stop_sending) io.run_for(100ms);
    cpu_used = pid ? bench::cpu_time(pid) - cpu_before : bench::CpuTime{};
    io.run_for(2s);  // the last deliveries
  }

  // ncat does not send a line back to its sender.
  const std::size_t expected =
      run.messages * (options.ncat ? run.established - std::min<std::size_t>(run.established, 1)
                                   : run.established);
  bench::JsonLine json;
  json.add("generator", std::string("chatload"))
      .add("conns", static_cast<long long>(options.conns))
      .add("senders", static_cast<long long>(options.senders))
      .add("rate", options.rate)
      .add("secs", static_cast<long long>(options.load.secs.count()))
      .add("arrive_secs", seconds(options.arrive))
      .add("dial_secs", seconds(dialled - dial_from))
      .add("established", static_cast<long long>(run.established))
      .add("failed", static_cast<long long>(run.failed))
      .add("dropped", static_cast<long long>(run.dropped))
      .add("arrivals_missing",
           static_cast<long long>(run.arrivals_expected -
                                  std::min(run.arrivals_expected, run.arrivals_heard)))
      .add("arrival_secs",
           run.all_arrived
               ? std::chrono::duration<double>(*run.all_arrived - dial_from_wall).count()
               : -1.0);
  if (run.newcomer) {
    json.add("newcomer_greeted_ms",
             run.newcomer_greeted
                 ? std::chrono::duration<double, std::milli>(*run.newcomer_greeted - newcomer_from)
                       .count()
                 : -1.0);
  }
  if (pid) json.add("arrival_cpu_secs", seconds(arrival_cpu.total()));
  if (options.senders > 0) {
    json.add("messages", static_cast<long long>(run.messages))
        .add("deliveries_per_s",
             static_cast<double>(expected) / static_cast<double>(options.load.secs.count()))
        .add("expected", static_cast<long long>(expected))
        .add("delivered", static_cast<long long>(run.delivered))
        .add("missing", static_cast<long long>(expected - std::min(expected, run.delivered)))
        .add("notices", static_cast<long long>(run.notices))
        .add("skipped", static_cast<long long>(run.skipped))
        .add("garbled", static_cast<long long>(run.garbled))
        .add("nodes", static_cast<long long>(options.nodes.size()))
        .add("order_mismatches", static_cast<long long>(order_mismatches(run)))
        .add("latency_p50_ms", bench::percentile(run.latency_ms, 50))
        .add("latency_p99_ms", bench::percentile(run.latency_ms, 99))
        .add("latency_max_ms", bench::percentile(run.latency_ms, 100))
        .add("own_p50_ms", bench::percentile(run.own_latency_ms, 50))
        .add("own_p99_ms", bench::percentile(run.own_latency_ms, 99));
    if (options.churn > 0 || options.churn_workers > 0) {
      json.add("churn_workers", static_cast<long long>(options.churn_workers))
          .add("churn_per_s", static_cast<double>(run.churned) /
                                  static_cast<double>(options.load.secs.count() + 1))
          .add("churn_failed", static_cast<long long>(run.churn_failed));
    }
  }
  if (pid) {
    json.add("server_kib_per_conn",
             static_cast<double>(rss_connected - rss_before) / static_cast<double>(run.conns));
    if (options.senders > 0) bench::add_server_cpu(json, cpu_used, options.load.secs);
  }
  std::puts(json.str().c_str());
  return 0;
}
