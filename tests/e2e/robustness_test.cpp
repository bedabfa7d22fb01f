// The servers under churn, floods, hostile bytes, descriptor exhaustion and shutdown under load:
// real programs over loopback, every loop bounded in count and time.
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/programs.hpp"

namespace e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

// Under ASan, freed memory waits in a quarantine (4 MiB for these tests) before it is reused.
constexpr long kSanitizerSlackKib = kSanitized ? 8 * 1024 : 0;

// One way a client may leave, chosen by the cycle number: at once, after the first reply,
// abortively (RST), after a half-close, or after a half-close that follows an unterminated line.
void leave(TcpClient& client, int cycle) {
  switch (cycle % 5) {
    case 0:
      client.close();
      break;
    case 1:
      client.read_line(1s);
      client.close();
      break;
    case 2:
      client.reset();
      break;
    case 3:
      client.shutdown_write();
      client.close();
      break;
    default:
      client.send("Last");
      client.shutdown_write();
      client.read_line(1s);
      client.close();
      break;
  }
}

// connect/close cycles, mixing every way of leaving, for at most 40 s; returns how many ran.
int churn(std::uint16_t port, bool reverb, int cycles) {
  const auto deadline = steady_clock::now() + 40s;
  int done = 0;
  for (; done < cycles && steady_clock::now() < deadline; ++done) {
    auto client = TcpClient::connect(port);
    if (done % 5 == 1 && reverb) client.send("Mid echo\n");
    leave(client, done);
  }
  return done;
}

// 10,000 connect/close cycles in ten batches, each batch's sessions left to end (a clock
// session of a client that closed ends by the next tick) before the next; afterwards the server
// serves a new client, and holds about the descriptors and memory it held after the first batch.
// "Before" is after that batch because the allocator keeps the heap a crowd of sessions grew
// (Asio pools each socket's reactor state for reuse, which pins its pages): a leak shows as
// growth over the nine batches after it.
void expect_no_trace_of_churn(const std::string& program, std::vector<std::string> args) {
  constexpr int kBatches = 10;
  constexpr int kBatch = 1000;
  const bool reverb = program.starts_with("reverb");
  auto server = start_server(program, std::move(args), options_for_measuring_memory());
  const pid_t pid = server.process.pid();
  const long fds_before = open_descriptors(pid);
  const auto settled = [&] {
    return eventually([&] { return open_descriptors(pid) <= fds_before + 64; }, 3s);
  };
  long rss_before = 0;
  for (int batch = 0; batch < kBatches; ++batch) {
    ASSERT_EQ(churn(server.port, reverb, kBatch), kBatch) << "batch " << batch << " too slow";
    ASSERT_TRUE(settled()) << "batch " << batch << ": " << open_descriptors(pid)
                           << " descriptors open, " << fds_before << " before";
    if (batch == 0) rss_before = resident_kib(pid);
  }
  auto after = TcpClient::connect(server.port);
  after.send("Still there?\n");
  EXPECT_TRUE(after.read_line(2s)) << program << " no longer serves";
  after.close();
  EXPECT_TRUE(settled()) << open_descriptors(pid) << " descriptors open, " << fds_before
                         << " before";
  const long rss_after = resident_kib(pid);
  EXPECT_LT(rss_after - rss_before, 2 * 1024 + kSanitizerSlackKib)
      << "VmRSS " << rss_before << " KiB after the first batch, " << rss_after << " KiB after all";
  expect_clean_stop(server.process);
}

TEST(Churn, ClockTwoKeepsNoTraceOfTenThousandConnections) {
  expect_no_trace_of_churn("clock2", {});
}

TEST(Churn, ReverbTwoKeepsNoTraceOfTenThousandConnections) {
  expect_no_trace_of_churn("reverb2", {"-delay", "20ms"});
}

// A client that closes is let go when its close is seen: after 300 cycles of connect, reply,
// close, the server holds the descriptors it held before within 100 ms of the last close (250
// under ASan). clock2 sends a time at once: a client that closes with it unread resets, and is
// let go at once too; one that read it sends only a FIN, as a client that half-closes does,
// and such a client keeps its ticks (SPEC): it is let go at the first tick after, when that tick
// provokes the reset (within 1.1 s).
void expect_closed_clients_let_go(const std::string& program, bool reads,
                                  std::chrono::milliseconds within) {
  auto server = start_server(program, program == "reverb2" ? std::vector<std::string>{"-delay", "0"}
                                                           : std::vector<std::string>{});
  const pid_t pid = server.process.pid();
  const long before = open_descriptors(pid);
  for (int i = 0; i < 300; ++i) {
    auto client = TcpClient::connect(server.port);
    if (program == "reverb2") client.send("hi\n");
    const int replies = program == "reverb2" ? 3 : 1;
    for (int n = 0; reads && n < replies; ++n) {
      ASSERT_TRUE(client.read_line(2s)) << program << " cycle " << i;
    }
    if (!reads) {
      // The time has come, unread: the close is a reset of a connection the server holds (not
      // one still in its backlog, whose accept would be timed too).
      pollfd readable{client.fd(), POLLIN, 0};
      ASSERT_EQ(::poll(&readable, 1, 2000), 1) << program << " cycle " << i;
    }
    client.close();
  }
  const auto closed = steady_clock::now();
  const bool let_go = eventually([&] { return open_descriptors(pid) <= before; }, 3s);
  const auto took =
      std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - closed);
  EXPECT_TRUE(let_go) << program << ": " << open_descriptors(pid) << " open, " << before
                      << " before";
  EXPECT_LE(took, within) << program;
  expect_clean_stop(server.process);
}

TEST(Churn, ReverbTwoLetsAClosedClientGoAtOnce) {
  expect_closed_clients_let_go("reverb2", true, kSanitized ? 250ms : 100ms);
}

TEST(Churn, ChatLetsAClosedClientGoAtOnce) {
  expect_closed_clients_let_go("chat", true, kSanitized ? 250ms : 100ms);
}

TEST(Churn, ClockTwoLetsAClientThatClosesUnreadGoAtOnce) {
  expect_closed_clients_let_go("clock2", false, kSanitized ? 250ms : 100ms);
}

TEST(Churn, ClockTwoLetsAClientThatReadAndClosedGoByTheNextTick) {
  expect_closed_clients_let_go("clock2", true, 1100ms);
}

// Ten clients that never read, each sending lines as fast as the server takes them, for 5 s:
// memory stays under the per-connection bound of SECURITY.md, and a well-behaved client's echoes
// come when they are due.
void expect_floods_cost_bounded_memory(std::size_t line_size) {
  constexpr int kFlooders = 10;
  // A flood of short lines is as many echoes as the pending bound lets through: 10 × 1024 every
  // two delays, 77,000 writes a second. That is a third of a core for the normal build, but more
  // than ASan+UBSan's build can write beside stress-test.sh's CPU hog (16 µs a write against 4):
  // its loop falls behind, and only LoopLag's hold on the flooders keeps the polite client's
  // echoes on time. The sanitized build holds a looser bound for its slower handlers; the normal
  // build holds the SPEC's 50 ms.
  constexpr auto kDelay = 200ms;
  constexpr auto kOnTime = kSanitized ? 100ms : 50ms;
  constexpr long kPerConnectionKib = 4 * 1024;
  auto server = start_server("reverb2", {"-delay", std::to_string(kDelay.count()) + "ms"},
                             options_for_measuring_memory());
  const pid_t pid = server.process.pid();
  auto polite = TcpClient::connect(server.port);
  polite.send("Warm up\n");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(polite.read_line(2s));
  const long rss_before = resident_kib(pid);

  std::string line(line_size - 1, 'f');
  line += '\n';
  std::string pattern;
  while (pattern.size() < (64 << 10)) pattern += line;
  std::vector<std::unique_ptr<Flooder>> flooders;
  for (int i = 0; i < kFlooders; ++i) {
    flooders.push_back(std::make_unique<Flooder>(server.port, pattern, 5s));
  }
  long rss_peak = 0;
  int late = 0;
  int echoes = 0;
  std::string lateness;
  const auto flood_start = system_clock::now();
  const auto flood_ends = steady_clock::now() + 5s;
  for (int i = 0; steady_clock::now() < flood_ends; ++i) {
    const std::string shout = "Polite " + std::to_string(i);
    const auto sent = system_clock::now();
    polite.send(shout + "\n");
    for (int part = 0; part < 3; ++part) {
      const auto echo = polite.read_timed_line(2s);
      ASSERT_TRUE(echo) << "echo " << i << " part " << part << " never came";
      const auto error = echo->at - (sent + part * kDelay);
      ++echoes;
      if (error > kOnTime || error < -5ms) {
        ++late;
        const auto ms = [](auto d) {
          return std::to_string(std::chrono::duration_cast<milliseconds>(d).count());
        };
        lateness += " " + ms(error) + " (echo " + std::to_string(i) + " part " +
                    std::to_string(part) + ", " + ms(echo->at - flood_start) + " ms in)";
      }
    }
    rss_peak = std::max(rss_peak, resident_kib(pid));
  }
  for (auto& flooder : flooders) flooder->join();
  for (int i = 0; i < kFlooders; ++i) {
    EXPECT_GT(flooders[i]->sent(), 64u << 10) << "flooder " << i << " hardly sent";
  }
  EXPECT_EQ(late, 0) << late << " of " << echoes << " echoes more than "
                     << std::chrono::duration_cast<milliseconds>(kOnTime).count()
                     << " ms off (ms):" << lateness;
  EXPECT_LT(rss_peak - rss_before, kFlooders * kPerConnectionKib + 8 * 1024 + kSanitizerSlackKib)
      << "VmRSS " << rss_before << " KiB before, " << rss_peak << " KiB at the peak";
  expect_clean_stop(server.process);
}

TEST(Flood, TenFloodersOfShortLinesCostBoundedMemoryAndDelayNobody) {
  expect_floods_cost_bounded_memory(16);
}

TEST(Flood, TenFloodersOfLongLinesCostBoundedMemoryAndDelayNobody) {
  expect_floods_cost_bounded_memory(64 * 1024);
}

// What a client gets for `input` followed by a half-close, read until the server closes.
std::string reply_to(std::uint16_t port, std::string_view input, bool& closed) {
  auto client = TcpClient::connect(port);
  client.send_some(input, 5s);
  client.shutdown_write();
  std::string output = client.read_until_eof(5s);
  closed = client.eof();
  return output;
}

// The server is still up and serving: a new client gets its echo.
void expect_still_serving(std::uint16_t port, const std::string& why) {
  auto client = TcpClient::connect(port);
  client.send("ok?\n");
  EXPECT_EQ(client.read_line(2s), "\t OK?") << "after " << why;
}

TEST(HostileBytes, EndEachConnectionWhereSpecSaysAndNeverTheServer) {
  for (const char* program : {"reverb1", "reverb2"}) {
    auto server = start_server(program, {"-delay", "0"});
    bool closed = false;

    // A line of exactly -max-line bytes is a line; one byte more ends the connection.
    const std::string longest(65536, 'a');
    std::string out = reply_to(server.port, longest + "\n", closed);
    EXPECT_TRUE(closed);
    EXPECT_EQ(out.size(), 3 * (longest.size() + 3)) << program;
    out = reply_to(server.port, "first\n" + std::string(65537, 'b') + "\n", closed);
    EXPECT_TRUE(closed) << program << ": open after a line of 65,537 bytes";
    EXPECT_EQ(out, "\t FIRST\n\t first\n\t first\n") << program;
    out = reply_to(server.port, std::string(10 << 20, 'c'), closed);
    EXPECT_TRUE(closed) << program << ": open after a line of 10 MB";
    EXPECT_EQ(out, "") << program;
    expect_still_serving(server.port, "over-long lines");

    // NUL bytes and a lone \r are part of the line; \r\n loses its \r.
    out = reply_to(server.port, std::string("a\0b\rc\r\n", 7), closed);
    EXPECT_EQ(out, std::string("\t A\0B\rC\n\t a\0b\rc\n\t a\0b\rc\n", 24)) << program;

    // A megabyte of random bytes: lines of every kind, some invalid UTF-8, perhaps one too long.
    out = reply_to(server.port, random_bytes(1 << 20, 7), closed);
    EXPECT_TRUE(closed) << program << ": open after a megabyte of random bytes";
    expect_still_serving(server.port, "random bytes");
    expect_no_sanitizer_report(server.process);
    expect_clean_stop(server.process);
  }
}

TEST(HostileBytes, OneByteEvery100msDelaysNobodyAndIsEchoedWhole) {
  auto server = start_server("reverb2", {"-delay", "0"});
  auto slow = TcpClient::connect(server.port);
  const std::string line = "drip drip\n";
  for (const char byte : line) {
    slow.send(std::string_view(&byte, 1));
    expect_still_serving(server.port, "a dripping byte");
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(slow.read_line(1s), "\t DRIP DRIP");
  expect_clean_stop(server.process);
}

// What a client sends is thrown away, whatever it is: every line it gets is still the time,
// "HH:MM:SS\n" of the second it arrives in, and the ticks go on.
TEST(ClockTwo, HostileInputNeverStopsTheTicks) {
  const std::regex time_of_day(R"(([01]\d|2[0-3]):[0-5]\d:[0-5]\d)");
  auto server = start_server("clock2");
  auto client = TcpClient::connect(server.port);
  const auto first = client.read_line(1s);
  ASSERT_TRUE(first);
  EXPECT_TRUE(std::regex_match(*first, time_of_day)) << *first;
  client.send(random_bytes(1 << 20, 3) + std::string(70000, '\0') + "\r\r\r");
  std::string previous = *first;
  for (int i = 0; i < 2; ++i) {
    // read_timed_line gives only a line its '\n' ended, without it.
    const auto tick = client.read_timed_line(2s);
    ASSERT_TRUE(tick) << "tick " << i;
    EXPECT_TRUE(std::regex_match(tick->text, time_of_day)) << "tick " << i << ": " << tick->text;
    EXPECT_TRUE(tick->text == utc(tick->at) || tick->text == utc(tick->at - 1s))
        << "tick " << i << ": " << tick->text << " at " << utc(tick->at);
    EXPECT_NE(tick->text, previous) << "tick " << i;
    previous = tick->text;
  }
  expect_clean_stop(server.process);
}

// Go's runtime raises the soft open-file limit to the hard one (since 1.19), and so do the
// servers: 1024, the usual soft limit and systemd's, would cap a server well below its hard limit.
TEST(DescriptorExhaustion, EveryServerRaisesItsSoftOpenFileLimitToTheHardOneAsGoDoes) {
  for (const std::string program : {"clock1", "clock2", "reverb1", "reverb2", "chat"}) {
    auto server = ChildProcess::start(
        {"prlimit", "--nofile=1024:4096", "--", testsupport::bin(program), "-port", "0"});
    server.wait_for_listening();
    std::ifstream limits("/proc/" + std::to_string(server.pid()) + "/limits");
    std::string line;
    while (std::getline(limits, line) && !line.starts_with("Max open files")) {
    }
    EXPECT_TRUE(std::regex_search(line, std::regex(R"(^Max open files +4096 +4096 )")))
        << program << ": " << line;
    expect_clean_stop(server);
  }
}

TEST(DescriptorExhaustion, ABurstOverTheLimitPausesAcceptingAndServesAgainAfter) {
  for (const char* program : {"clock2", "reverb2"}) {
    testsupport::ChildOptions utc;
    utc.env.emplace_back("TZ", "UTC");
    auto server = ChildProcess::start(
        {"prlimit", "--nofile=256:256", testsupport::bin(program), "-port", "0"}, utc);
    const auto port = server.wait_for_listening();
    std::vector<TcpClient> clients;
    for (int i = 0; i < 600; ++i) clients.push_back(TcpClient::connect(port));
    ASSERT_TRUE(server.wait_for_stderr_line("too many open files; pausing", 3s))
        << program << ": " << server.stderr_text();
    // Out of descriptors, with clients waiting: a spinning accept loop would burn a core.
    const auto cpu_before = cpu_time(server.pid());
    std::this_thread::sleep_for(2s);
    const auto cpu_used = cpu_time(server.pid()) - cpu_before;
    EXPECT_LT(cpu_used, 100ms) << program << ": CPU while out of descriptors (5 % of 2 s)";

    // Once most clients leave, the waiting ones are served: the last in the backlog too.
    clients.erase(clients.begin(), clients.begin() + 450);
    auto& waiting = clients.back();
    if (std::string(program) == "reverb2") waiting.send("back\n");
    EXPECT_TRUE(waiting.read_line(5s)) << program << ": the last client was never served";
    server.signal(SIGTERM);
    EXPECT_EQ(server.wait_exit(3s), 0) << program;
    expect_no_sanitizer_report_but_vptr_probes(server);
  }
}

// SIGTERM or SIGINT with 2,000 clients and their echoes pending: exit 0 within a second, and
// every client sees the end of its connection.
void expect_prompt_exit_under_load(const std::string& program, int signal) {
  constexpr int kClients = 2000;
  const bool reverb = program.starts_with("reverb");
  auto server = start_server(
      program, reverb ? std::vector<std::string>{"-delay", "1s"} : std::vector<std::string>{});
  std::vector<TcpClient> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(TcpClient::connect(server.port));
    if (reverb) clients.back().send("pending " + std::to_string(i) + "\n");
  }
  // Every client is being served: its first reply came.
  for (int i = 0; i < kClients; ++i) ASSERT_TRUE(clients[i].read_line(5s)) << "client " << i;
  const auto signalled = steady_clock::now();
  server.process.signal(signal);
  EXPECT_EQ(server.process.wait_exit(1s), 0) << server.process.stderr_text();
  EXPECT_LT(steady_clock::now() - signalled, 1s);
  int open = 0;
  for (auto& client : clients) open += !client.wait_eof(2s);
  EXPECT_EQ(open, 0) << open << " clients never saw the end";
  expect_no_sanitizer_report(server.process);
}

TEST(Shutdown, ReverbTwoExitsAtOnceOnSigtermWithTwoThousandClients) {
  expect_prompt_exit_under_load("reverb2", SIGTERM);
}

TEST(Shutdown, ClockTwoExitsAtOnceOnSigintWithTwoThousandClients) {
  expect_prompt_exit_under_load("clock2", SIGINT);
}

// -threads 2: two event loops on one listening socket, each with its own sessions. These run
// under TSan too.
void expect_every_loop_to_serve_churn_and_stop(const std::string& program,
                                               std::vector<std::string> args) {
  args.insert(args.end(), {"-threads", "2"});
  auto server = start_server(program, std::move(args));
  std::vector<TcpClient> clients;
  for (int i = 0; i < 200; ++i) {
    clients.push_back(TcpClient::connect(server.port));
    clients.back().send("Hello " + std::to_string(i) + "\n");
  }
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(clients[i].read_line(5s)) << "client " << i;
  churn(server.port, program.starts_with("reverb"), 1000);
  auto after = TcpClient::connect(server.port);
  after.send("Still there?\n");
  EXPECT_TRUE(after.read_line(2s));
  expect_clean_stop(server.process);
}

TEST(MultiLoop, ClockTwoWithTwoLoopsServesChurnsAndStops) {
  expect_every_loop_to_serve_churn_and_stop("clock2", {});
}

TEST(MultiLoop, ReverbTwoWithTwoLoopsServesChurnsAndStops) {
  expect_every_loop_to_serve_churn_and_stop("reverb2", {"-delay", "10ms"});
}

TEST(MultiLoop, ReverbTwoWithTwoLoopsHonoursOneConnectionCapAcrossLoops) {
  auto server = start_server("reverb2", {"-threads", "2", "-max-conns", "10", "-delay", "0"});
  std::vector<TcpClient> clients;
  for (int i = 0; i < 30; ++i) clients.push_back(TcpClient::connect(server.port));
  int served = 0;
  for (auto& client : clients) {
    client.send_some("x\n", 500ms);  // one over the cap may be closed already
    served += client.read_line(500ms).has_value();
  }
  EXPECT_EQ(served, 10);
  expect_clean_stop(server.process);
}

// A port has one owner: a second server on it fails as it would without -threads, whatever
// -threads either has, and the first goes on serving every client (two with SO_REUSEPORT would
// have shared them, each client getting one or the other).
TEST(MultiLoop, ASecondServerOnAPortInUseFailsWithOrWithoutThreads) {
  for (const std::string program : {"clock2", "reverb2", "chat"}) {
    for (const auto& [first_threads, second_threads] :
         {std::pair{"2", "2"}, std::pair{"2", "1"}, std::pair{"1", "2"}}) {
      auto first = start_server(program, {"-threads", first_threads});
      const std::string port = std::to_string(first.port);
      auto second = start_program(program, {"-threads", second_threads, "-port", port});
      EXPECT_EQ(second.wait_exit(3s), 1)
          << program << " " << first_threads << "/" << second_threads;
      EXPECT_EQ(second.stderr_text(),
                program + ": listen localhost:" + port + ": address already in use\n");
      for (int i = 0; i < 20; ++i) {
        auto client = TcpClient::connect(first.port);
        if (program == "reverb2") client.send("hi\n");
        EXPECT_TRUE(client.read_line(2s)) << program << ": client " << i;
      }
      expect_clean_stop(first.process);
    }
  }
}

// Whether `program` serves `client`: its first line comes (an echo server's after a line of ours).
bool serves(const std::string& program, TcpClient& client) {
  if (program.starts_with("reverb")) client.send_some("hi\n", 500ms);
  return client.read_line(2s).has_value();
}

TEST(ConnectionCaps, EveryServerClosesAConnectionOverMaxConnsPerHostWithoutAByte) {
  // Two at once from 127.0.0.1: a third from it is closed at once, without a byte and with a
  // warning, while 127.0.0.2 is served; when one of the two leaves, 127.0.0.1 is served again.
  for (const auto& [program, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"clock2", {}},
           {"clock2", {"-threads", "2"}},
           {"reverb1", {}},
           {"reverb2", {"-threads", "2", "-delay", "0"}},
           {"chat", {}}}) {
    SCOPED_TRACE(program + (args.empty() ? "" : " " + args[0]));
    std::vector<std::string> flags = {"-host", "127.0.0.1", "-max-conns-per-host", "2"};
    flags.insert(flags.end(), args.begin(), args.end());
    auto server = start_server(program, flags);
    std::vector<TcpClient> first;
    for (int i = 0; i < 2; ++i) {
      first.push_back(TcpClient::connect_from("127.0.0.1", server.port));
      ASSERT_TRUE(serves(program, first.back())) << "client " << i;
    }
    auto over = TcpClient::connect_from("127.0.0.1", server.port);
    EXPECT_EQ(over.read_until_eof(2s), "") << "a byte was sent to a connection over the cap";
    EXPECT_TRUE(over.eof());
    EXPECT_TRUE(server.process.wait_for_stderr_line(
        "warning: connection limit 2 per host reached; closing 127.0.0.1:", 1s))
        << server.process.stderr_text();
    auto other = TcpClient::connect_from("127.0.0.2", server.port);
    EXPECT_TRUE(serves(program, other)) << "another host was refused";
    first.front().close();
    // The place is given back once its session has ended.
    EXPECT_TRUE(eventually(
        [&] {
          auto next = TcpClient::connect_from("127.0.0.1", server.port);
          return serves(program, next);
        },
        3s));
    expect_clean_stop(server.process);
  }
}

TEST(ConnectionCaps, ClockOneTakesMaxConnsPerHostAndServesOneAfterAnother) {
  // clock1 serves one client at a time, so a cap of one per host changes nothing: the second
  // waits in the backlog, and is served when the first leaves.
  auto server = start_server("clock1", {"-max-conns-per-host", "1"});
  auto first = TcpClient::connect(server.port);
  ASSERT_TRUE(first.read_line(2s));
  auto second = TcpClient::connect(server.port);
  first.close();
  EXPECT_TRUE(second.read_line(3s));
  expect_clean_stop(server.process);
}

// When each of `clients` first got something from the server, from `start`: polled together, so
// that a time is at most a poll's round late. Empty where nothing came by `until`.
std::vector<std::optional<milliseconds>> first_bytes(std::vector<TcpClient>& clients,
                                                     steady_clock::time_point start,
                                                     steady_clock::time_point until) {
  std::vector<std::optional<milliseconds>> at(clients.size());
  std::size_t waiting = clients.size();
  while (waiting > 0 && steady_clock::now() < until) {
    for (std::size_t i = 0; i < clients.size(); ++i) {
      if (at[i] || clients[i].read_available().empty()) continue;
      at[i] = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
      --waiting;
    }
    std::this_thread::sleep_for(1ms);
  }
  return at;
}

TEST(ConnectionCaps, MaxAcceptRateSpreadsTwoHundredConnectsOverSecondsAndRefusesNone) {
  // -max-accept-rate 50: 200 connect at once; 50 are served at once, the rest at 50 a second
  // from the listen queue: by t seconds at most 50 + 50t, and every one of them in the end. Two
  // event loops share the rate.
  constexpr int kClients = 200;
  constexpr int kRate = 50;
  for (const auto& [program, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"clock2", {"-threads", "2"}}, {"chat", {}}}) {
    SCOPED_TRACE(program);
    std::vector<std::string> flags = {"-max-accept-rate", std::to_string(kRate)};
    flags.insert(flags.end(), args.begin(), args.end());
    auto server = start_server(program, flags);
    const auto start = steady_clock::now();
    std::vector<TcpClient> clients;
    for (int i = 0; i < kClients; ++i) clients.push_back(TcpClient::connect(server.port));
    auto at = first_bytes(clients, start, start + 10s);
    std::vector<milliseconds> served;
    for (const auto& when : at) {
      if (when) served.push_back(*when);
    }
    EXPECT_EQ(served.size(), std::size_t{kClients}) << "some were never served";
    std::sort(served.begin(), served.end());
    for (std::size_t k = 0; k < served.size(); ++k) {
      // The k+1-th served by its time: a burst of 50, then 50 a second (and one for rounding).
      const double allowed = kRate + kRate * (served[k].count() / 1000.0) + 1;
      EXPECT_LE(static_cast<double>(k + 1), allowed)
          << "client " << k + 1 << " served at " << served[k].count() << " ms";
      if (static_cast<double>(k + 1) > allowed) break;
    }
    int closed = 0;
    for (auto& client : clients) closed += client.eof();
    EXPECT_EQ(closed, 0);
    EXPECT_EQ(server.process.stderr_text().find("closing"), std::string::npos)
        << server.process.stderr_text();
    expect_clean_stop(server.process);
  }
}

TEST(ConnectionCaps, ChatTakesAThousandConnectionsASecondAndTheOthersNoneUnlessAsked) {
  // The default of -max-accept-rate: chat's 1000, every other server's none.
  for (const char* program : {"clock1", "clock2", "reverb1", "reverb2", "chat"}) {
    auto help = start_program(program, {"--help"});
    ASSERT_EQ(help.wait_exit(3s), 0) << program;
    const std::string text = help.read_stdout_until_eof(1s);
    const std::string expected = program == std::string("chat") ? "1000" : "0";
    EXPECT_TRUE(std::regex_search(
        text, std::regex("-max-accept-rate N[^\\n]*\\n?[^-]*\\(default: " + expected + "\\)")))
        << program << ": " << text;
  }
}

}  // namespace
}  // namespace e2e
