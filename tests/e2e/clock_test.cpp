// clock1 and clock2 as users run them: over real loopback sockets, with nc and netcat1.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/e2e/programs.hpp"

namespace e2e {
namespace {

using std::chrono::floor;
using std::chrono::seconds;
using std::chrono::system_clock;

// How far past the second boundary a tick may land: tens of milliseconds, with room for a
// sanitizer build on a busy machine.
constexpr auto kTickSlack = 150ms;

// Lines of 1.4 MB ("%c" is 24 characters): a client that does not read stalls its write within
// three ticks, whatever the kernel's socket buffers (up to 4 MiB here).
std::string huge_format() {
  std::string format;
  for (int i = 0; i < 60000; ++i) format += "%c";
  return format;
}

// A time of day in the past, present or next second of `at`: the line and the clock read
// around it may straddle a boundary.
void expect_time_near(const std::string& line, system_clock::time_point at) {
  EXPECT_TRUE(line == utc(at - 1s) || line == utc(at) || line == utc(at + 1s))
      << line << " at " << utc(at);
}

TEST(ClockTwo, SendsTheTimeAtOnceThenEverySecond) {
  auto server = start_server("clock2");
  const auto connected = system_clock::now();
  auto client = TcpClient::connect(server.port);
  const auto first = client.read_timed_line(kTickSlack + 100ms);
  ASSERT_TRUE(first) << "no time at once";
  EXPECT_TRUE(std::regex_match(first->text, std::regex(R"(\d\d:\d\d:\d\d)"))) << first->text;
  expect_time_near(first->text, connected);
  EXPECT_LT(first->at - connected, kTickSlack);

  std::string previous = first->text;
  for (int i = 0; i < 3; ++i) {
    const auto tick = client.read_timed_line(1s + kTickSlack);
    ASSERT_TRUE(tick) << "tick " << i;
    // The tick lands when the second changes, and shows that second.
    EXPECT_LT(tick->at - floor<seconds>(tick->at), kTickSlack) << "tick " << i << " late";
    EXPECT_EQ(tick->text, utc(floor<seconds>(tick->at))) << "tick " << i;
    EXPECT_NE(tick->text, previous);
    previous = tick->text;
  }
  expect_clean_stop(server.process);
}

TEST(ClockTwo, ShowsTheZoneOfTheTzVariable) {
  testsupport::ChildOptions tokyo;
  tokyo.env = {{"TZ", "Asia/Tokyo"}};
  auto server = start_server("clock2", {"-format", "%z %Z"}, tokyo);
  auto client = TcpClient::connect(server.port);
  EXPECT_EQ(client.read_line(1s), "+0900 JST");
  expect_clean_stop(server.process);
}

TEST(ClockTwo, ShowsTheZoneOfTheTzFlagOverTheVariable) {
  auto server = start_server("clock2", {"-tz", "Asia/Kolkata", "-format", "%H:%M %z"});
  auto client = TcpClient::connect(server.port);
  const auto line = client.read_timed_line(1s);
  ASSERT_TRUE(line);
  const auto kolkata = line->at + 5h + 30min;
  EXPECT_TRUE(line->text == utc(kolkata, "%H:%M +0530") ||
              line->text == utc(kolkata - 1s, "%H:%M +0530"))
      << line->text;
  expect_clean_stop(server.process);
}

// Issue 10: glibc reads an unknown $TZ as UTC under the zone's own name, without a word; we say
// it once and show plain UTC (while -tz Bad/Zone is a usage error).
TEST(Clock, WarnsOnceThatAnUnknownTzIsUnknownAndUsesUtc) {
  for (const char* program : {"clock1", "clock2"}) {
    testsupport::ChildOptions bad;
    bad.env = {{"TZ", "Bad/Zone"}};
    auto server = start_server(program, {"-format", "%z %Z"}, bad);
    auto client = TcpClient::connect(server.port);
    EXPECT_EQ(client.read_line(1s), "+0000 UTC") << program;
    EXPECT_TRUE(client.read_line(1s + kTickSlack));
    client.close();
    server.process.signal(SIGTERM);
    EXPECT_EQ(server.process.wait_exit(3s), 0);
    EXPECT_TRUE(std::regex_match(
        server.process.stderr_text(),
        std::regex(std::string(program) +
                   ": warning: unknown time zone \"Bad/Zone\" in \\$TZ; using UTC\n" + program +
                   ": listening on [^\n]+\n" + program +
                   ": SIGTERM: closing connections and exiting\n")))
        << server.process.stderr_text();
  }
}

// What glibc takes in $TZ besides a zone's name is no cause for a warning.
TEST(ClockTwo, TakesAPosixRuleOrAColonZoneInTzWithoutAWarning) {
  for (const char* tz : {"JST-9", ":Asia/Tokyo"}) {
    testsupport::ChildOptions options;
    options.env = {{"TZ", tz}};
    auto server = start_server("clock2", {"-format", "%z %Z"}, options);
    auto client = TcpClient::connect(server.port);
    EXPECT_EQ(client.read_line(1s), "+0900 JST") << tz;
    EXPECT_EQ(server.process.stderr_text().find("warning"), std::string::npos)
        << server.process.stderr_text();
    expect_clean_stop(server.process);
  }
}

TEST(ClockTwo, ServesFiveClientsAtOnce) {
  auto server = start_server("clock2");
  std::vector<TcpClient> clients;
  for (int i = 0; i < 5; ++i) clients.push_back(TcpClient::connect(server.port));
  for (auto& client : clients) ASSERT_TRUE(client.read_line(1s));
  // Every client gets the same next tick.
  std::vector<std::string> ticks;
  for (auto& client : clients) {
    const auto tick = client.read_line(1s + kTickSlack);
    ASSERT_TRUE(tick);
    ticks.push_back(*tick);
  }
  for (const auto& tick : ticks) EXPECT_EQ(tick, ticks.front());
  expect_clean_stop(server.process);
}

// Seconds since midnight of an "HH:MM:SS" line.
int second_of_day(const std::string& line) {
  return std::stoi(line.substr(0, 2)) * 3600 + std::stoi(line.substr(3, 2)) * 60 +
         std::stoi(line.substr(6, 2));
}

// One pass of the clock's loop writes every tick; a client accepted after a boundary but before
// that pass, which already got that second at once, must not get it twice, nor miss the next.
TEST(ClockTwo, GivesEveryClientEachSecondOnceWhateverThePhaseItConnectsAt) {
  auto server = start_server("clock2");
  std::vector<TcpClient> clients;
  for (int i = 0; i < 40; ++i) {
    clients.push_back(TcpClient::connect(server.port));
    std::this_thread::sleep_for(37ms);  // spread over every phase of a second and a half
  }
  for (std::size_t i = 0; i < clients.size(); ++i) {
    std::optional<int> previous;
    for (int n = 0; n < 3; ++n) {
      const auto line = clients[i].read_line(1s + kTickSlack);
      ASSERT_TRUE(line) << "client " << i << " line " << n;
      const int second = second_of_day(*line);
      if (previous && second != (*previous + 1) % 86400) {
        ADD_FAILURE() << "client " << i << " got " << *line << " after second " << *previous;
      }
      previous = second;
    }
  }
  expect_clean_stop(server.process);
}

// The clock's timer runs only while someone listens: with nobody there the server sleeps, where a
// ticking one would wake every second; a client after a quiet spell starts it again.
TEST(ClockTwo, TicksForANewClientAfterEveryClientHadLeft) {
  auto server = start_server("clock2", {"-log-level", "debug"});
  {
    auto first = TcpClient::connect(server.port);
    ASSERT_TRUE(first.read_line(1s));
  }
  // The session of the client that left ends at the next tick, and the tick after that, which
  // finds nobody, is the last.
  ASSERT_TRUE(server.process.wait_for_stderr_line("close 127.0.0.1:", 1s + kTickSlack))
      << server.process.stderr_text();
  std::this_thread::sleep_until(floor<seconds>(system_clock::now()) + 1s + kTickSlack);
  const pid_t pid = server.process.pid();
  const long before = context_switches(pid);
  ASSERT_GT(before, 0);
  std::this_thread::sleep_for(2500ms);  // two ticks and a half
  EXPECT_EQ(context_switches(pid), before) << "the server woke with no client: its clock ticks on";
  auto client = TcpClient::connect(server.port);
  ASSERT_TRUE(client.read_line(1s)) << "no time at once";
  for (int i = 0; i < 2; ++i) {
    const auto tick = client.read_timed_line(1s + kTickSlack);
    ASSERT_TRUE(tick) << "tick " << i;
    EXPECT_LT(tick->at - floor<seconds>(tick->at), kTickSlack) << "tick " << i << " late";
  }
  expect_clean_stop(server.process);
}

// An NTP step back by an hour: the ticks go on, each second, in the new time, rather than
// stopping until the old time comes round again. libfaketime (Debian's faketime) shifts the
// server's system time as it runs; its monotonic clock is left alone, as a real step leaves it.
TEST(ClockTwo, TicksOnThroughASystemTimeStepBack) {
#ifdef GONET_SANITIZED
  GTEST_SKIP() << "libfaketime's preload does not go with the sanitizers' runtime";
#endif
  const std::string preload = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
  if (::access(preload.c_str(), R_OK) != 0) GTEST_SKIP() << "no " << preload;
  const std::string offset_file = testing::TempDir() + "clock_offset_" + std::to_string(::getpid());
  std::ofstream(offset_file) << "+0\n";
  testsupport::ChildOptions shifted;
  shifted.env = {{"LD_PRELOAD", preload},
                 {"FAKETIME_TIMESTAMP_FILE", offset_file},
                 {"FAKETIME_NO_CACHE", "1"},
                 {"DONT_FAKE_MONOTONIC", "1"}};
  auto server = start_server("clock2", {}, shifted);
  auto client = TcpClient::connect(server.port);
  ASSERT_TRUE(client.read_line(1s));
  ASSERT_TRUE(client.read_line(1s + kTickSlack));
  std::ofstream(offset_file) << "-3600\n";
  // Every line within a second and a bit of the last, and soon one an hour behind.
  bool stepped = false;
  for (int i = 0; i < 4 && !stepped; ++i) {
    const auto line = client.read_timed_line(1s + kTickSlack);
    ASSERT_TRUE(line) << "no tick " << i << " after the step";
    stepped = line->text == utc(line->at - 1h) || line->text == utc(line->at - 1h - 1s);
  }
  EXPECT_TRUE(stepped) << "no line in the stepped-back time";
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(client.read_line(1s + kTickSlack)) << "tick " << i;
  expect_clean_stop(server.process);
  std::remove(offset_file.c_str());
}

TEST(ClockTwo, ClientThatNeverReadsDoesNotDelayAnother) {
  auto server = start_server("clock2", {"-format", huge_format() + "%H:%M:%S"});
  auto stalled = TcpClient::connect(server.port, "127.0.0.1", 4096);
  auto reader = TcpClient::connect(server.port);
  ASSERT_TRUE(reader.read_line(1s));
  for (int i = 0; i < 5; ++i) {
    const auto tick = reader.read_timed_line(1s + kTickSlack);
    ASSERT_TRUE(tick) << "tick " << i;
    EXPECT_LT(tick->at - floor<seconds>(tick->at), kTickSlack) << "tick " << i << " late";
    EXPECT_EQ(tick->text.substr(tick->text.size() - 8), utc(floor<seconds>(tick->at)));
  }
  expect_clean_stop(server.process);
}

// Input is thrown away a few buffers per turn, so that a client sending as fast as it can
// cannot keep the loop from the others.
TEST(ClockTwo, ClientsFloodingInputDoNotDelayAnothersTicks) {
  auto server = start_server("clock2");
  auto reader = TcpClient::connect(server.port);
  ASSERT_TRUE(reader.read_line(1s));
  std::vector<std::unique_ptr<Flooder>> flooders;
  for (unsigned seed = 1; seed <= 2; ++seed) {
    flooders.push_back(std::make_unique<Flooder>(server.port, random_bytes(1 << 16, seed), 6s));
  }
  for (int i = 0; i < 4; ++i) {
    const auto tick = reader.read_timed_line(1s + 100ms);
    ASSERT_TRUE(tick) << "tick " << i;
    EXPECT_LT(tick->at - floor<seconds>(tick->at), 100ms) << "tick " << i << " late";
    EXPECT_EQ(tick->text, utc(floor<seconds>(tick->at)));
  }
  for (const auto& flooder : flooders) EXPECT_GT(flooder->sent(), 1u << 20);
  // Still flooded: SIGTERM ends it at once all the same.
  server.process.signal(SIGTERM);
  EXPECT_EQ(server.process.wait_exit(1s), 0) << server.process.stderr_text();
  expect_no_sanitizer_report(server.process);
}

TEST(ClockTwo, DropsClientWhoseWriteIsStuckPastTheWriteTimeout) {
  auto server = start_server(
      "clock2", {"-format", huge_format(), "-write-timeout", "1s", "-log-level", "debug"});
  auto stalled = TcpClient::connect(server.port, "127.0.0.1", 4096);
  ASSERT_TRUE(server.process.wait_for_stderr_line("accept", 1s));
  const auto dropped = server.process.wait_for_stderr_line("timed out", 8s);
  ASSERT_TRUE(dropped) << server.process.stderr_text();
  EXPECT_TRUE(std::regex_search(*dropped, std::regex(R"(close 127\.0\.0\.1:\d+: )"))) << *dropped;
  // What the server had queued still arrives, then the end.
  EXPECT_TRUE(stalled.wait_eof(5s));
  expect_clean_stop(server.process);
}

TEST(ClockTwo, KeepsTickingAfterTheClientHalfCloses) {
  auto server = start_server("clock2");
  auto client = TcpClient::connect(server.port);
  client.send("this is read and thrown away\n");
  ASSERT_TRUE(client.read_line(1s));
  client.shutdown_write();  // as nc -N does at the end of its input
  EXPECT_TRUE(client.read_line(1s + kTickSlack));
  EXPECT_TRUE(client.read_line(1s + kTickSlack));
  expect_clean_stop(server.process);
}

TEST(ClockTwo, EndsTheSessionOfAClosedClientByTheNextTick) {
  auto server = start_server("clock2", {"-log-level", "debug"});
  auto client = TcpClient::connect(server.port);
  ASSERT_TRUE(client.read_line(1s));
  ASSERT_TRUE(server.process.wait_for_stderr_line("accept", 1s));
  client.close();
  const auto closed_at = system_clock::now();
  const auto next_tick = floor<seconds>(closed_at) + 1s;
  const auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick + kTickSlack -
                                                                           system_clock::now());
  EXPECT_TRUE(server.process.wait_for_stderr_line("close 127.0.0.1:", limit))
      << server.process.stderr_text();
  expect_clean_stop(server.process);
}

TEST(ClockTwo, EndsTheSessionOfAResetClientAtOnce) {
  auto server = start_server("clock2", {"-log-level", "debug"});
  auto client = TcpClient::connect(server.port);
  ASSERT_TRUE(client.read_line(1s));
  client.reset();
  EXPECT_TRUE(server.process.wait_for_stderr_line("close 127.0.0.1:", 300ms))
      << server.process.stderr_text();
  expect_clean_stop(server.process);
}

TEST(ClockTwo, ClosesConnectionsOverMaxConnsWithAWarning) {
  auto server = start_server("clock2", {"-max-conns", "2"});
  auto first = TcpClient::connect(server.port);
  auto second = TcpClient::connect(server.port);
  ASSERT_TRUE(first.read_line(1s));
  ASSERT_TRUE(second.read_line(1s));
  auto third = TcpClient::connect(server.port);
  EXPECT_TRUE(third.wait_eof(1s));
  EXPECT_TRUE(server.process.wait_for_stderr_line("warning: connection limit 2 reached", 1s));
  first.reset();
  // The place is given back: a new client is served again.
  bool served = false;
  for (int attempt = 0; attempt < 20 && !served; ++attempt) {
    auto next = TcpClient::connect(server.port);
    served = next.read_line(200ms).has_value();
  }
  EXPECT_TRUE(served);
  expect_clean_stop(server.process);
}

TEST(ClockTwo, PausesAcceptingWhenOutOfDescriptorsInsteadOfSpinning) {
  // A descriptor limit of 24 leaves room for a handful of clients, then accept() fails EMFILE
  // while the next clients wait in the backlog.
  auto clock = ChildProcess::start(
      {"/bin/sh", "-c", "ulimit -n 24 && exec \"$0\" -port 0", testsupport::bin("clock2")});
  const auto port = clock.wait_for_listening();
  std::vector<TcpClient> clients;
  for (int i = 0; i < 30; ++i) clients.push_back(TcpClient::connect(port));
  ASSERT_TRUE(clock.wait_for_stderr_line("too many open files; pausing", 2s))
      << clock.stderr_text();

  const auto cpu_before = cpu_time(clock.pid());
  std::vector<std::size_t> served;
  for (std::size_t i = 0; i < clients.size(); ++i) {
    if (clients[i].read_line(100ms)) served.push_back(i);
  }
  const auto cpu_after = cpu_time(clock.pid());
  ASSERT_FALSE(served.empty());
  ASSERT_LT(served.size(), clients.size()) << "the limit did not bite";
  // About 3 s of waiting on a server stuck at its limit: a spinning accept loop would burn a core.
  EXPECT_LT(cpu_after - cpu_before, 300ms) << "CPU while out of descriptors";

  // Clients that leave make room, and the waiting ones are served.
  for (const std::size_t i : served) clients[i].close();
  const std::size_t waiting = clients.size() - 1;
  EXPECT_TRUE(clients[waiting].read_line(3s)) << clock.stderr_text();
  clock.signal(SIGTERM);
  EXPECT_EQ(clock.wait_exit(3s), 0);
  expect_no_sanitizer_report_but_vptr_probes(clock);
}

TEST(ClockTwo, ServesOnEveryEventLoopWithThreads) {
  auto server = start_server("clock2", {"-threads", "2"});
  std::vector<TcpClient> clients;
  for (int i = 0; i < 8; ++i) clients.push_back(TcpClient::connect(server.port));
  for (auto& client : clients) {
    ASSERT_TRUE(client.read_line(1s));
    ASSERT_TRUE(client.read_line(1s + kTickSlack));
  }
  expect_clean_stop(server.process);
}

TEST(ClockTwo, ListensOnIpv6WhenAsked) {
  auto server = start_server("clock2", {"-host", "::1"});
  EXPECT_NE(server.process.stderr_text().find("listening on [::1]:"), std::string::npos);
  auto client = TcpClient::connect(server.port, "::1");
  EXPECT_TRUE(client.read_line(1s));
  expect_clean_stop(server.process);
}

TEST(ClockTwo, ListensOnLoopbackByDefault) {
  auto server = start_server("clock2");
  EXPECT_NE(server.process.stderr_text().find("clock2: listening on 127.0.0.1:"), std::string::npos)
      << server.process.stderr_text();
  expect_clean_stop(server.process);
}

TEST(ClockTwo, RealNcReceivesTheTicks) {
  auto server = start_server("clock2");
  auto nc = ChildProcess::start({"nc", "-d", "127.0.0.1", std::to_string(server.port)});
  const auto first = nc.read_stdout_line(2s);
  ASSERT_TRUE(first) << nc.stderr_text();
  expect_time_near(*first, system_clock::now());
  const auto second = nc.read_stdout_line(1s + kTickSlack);
  ASSERT_TRUE(second);
  EXPECT_NE(*second, *first);
  expect_clean_stop(server.process);
}

TEST(ClockTwo, NetcatOnePrintsTheTicks) {
  auto server = start_server("clock2");
  auto netcat = start_program("netcat1", {"127.0.0.1:" + std::to_string(server.port)});
  const auto first = netcat.read_stdout_line(2s);
  ASSERT_TRUE(first) << netcat.stderr_text();
  expect_time_near(*first, system_clock::now());
  ASSERT_TRUE(netcat.read_stdout_line(1s + kTickSlack));
  // When the server goes, netcat1 has nothing more to copy and ends normally.
  expect_clean_stop(server.process);
  EXPECT_EQ(netcat.wait_exit(2s), 0) << netcat.stderr_text();
  expect_no_sanitizer_report(netcat);
}

TEST(ClockTwo, ExitsZeroWithinASecondOnSigtermOrSigint) {
  for (const int signal : {SIGTERM, SIGINT}) {
    auto server = start_server("clock2");
    std::vector<TcpClient> clients;
    for (int i = 0; i < 3; ++i) clients.push_back(TcpClient::connect(server.port));
    for (auto& client : clients) ASSERT_TRUE(client.read_line(1s));
    server.process.signal(signal);
    EXPECT_EQ(server.process.wait_exit(1s), 0) << strsignal(signal);
    for (auto& client : clients) EXPECT_TRUE(client.wait_eof(1s)) << "open connections are closed";
    expect_no_sanitizer_report(server.process);
  }
}

TEST(ClockTwo, PortInUseExitsOneWithOneLine) {
  auto first = start_server("clock2");
  auto second = start_program("clock2", {"-port", std::to_string(first.port)});
  EXPECT_EQ(second.wait_exit(3s), 1);
  EXPECT_EQ(second.stderr_text(), "clock2: listen localhost:" + std::to_string(first.port) +
                                      ": address already in use\n");
  expect_clean_stop(first.process);
}

TEST(ClockTwo, BadUsageExitsTwoWithOneLine) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"-port", "abc"},
                                               {"-port", "70000"},
                                               {"-nosuch"},
                                               {"-tz", "Nowhere/Bogus"},
                                               {"-max-conns", "many"},
                                               {"-log-level", "loud"},
                                               {"stray"}}) {
    auto clock = start_program("clock2", args);
    EXPECT_EQ(clock.wait_exit(3s), 2) << args[0];
    const std::string err = clock.stderr_text();
    EXPECT_TRUE(std::regex_match(err, std::regex("clock2: [^\n]+; see --help\n"))) << err;
  }
}

TEST(ClockTwo, HelpAndVersionExitZero) {
  auto help = start_program("clock2", {"-help"});
  EXPECT_EQ(help.wait_exit(3s), 0);
  const std::string usage = help.read_stdout_until_eof(1s);
  for (const char* flag : {"--port", "--host", "--tz", "--format", "--max-conns", "--log-level"}) {
    EXPECT_NE(usage.find(flag), std::string::npos) << flag;
  }
  auto version = start_program("clock2", {"--version"});
  EXPECT_EQ(version.wait_exit(3s), 0);
  EXPECT_TRUE(std::regex_match(version.read_stdout_until_eof(1s),
                               std::regex("clock2 \\(gonet\\) \\d+\\.\\d+\\.\\d+\n")));
}

TEST(ClockOne, ServesASecondClientOnlyAfterTheFirstLeaves) {
  auto server = start_server("clock1");
  auto first = TcpClient::connect(server.port);
  ASSERT_TRUE(first.read_line(1s));
  auto second = TcpClient::connect(server.port);  // waits in the listen backlog
  // A full tick to the first client and nothing to the second.
  ASSERT_TRUE(first.read_line(1s + kTickSlack));
  ASSERT_TRUE(first.read_line(1s + kTickSlack));
  EXPECT_EQ(second.read_available(), "");
  first.close();
  // The first session ends at the next tick at the latest; then the second is served at once.
  const auto served = second.read_line(2s);
  ASSERT_TRUE(served);
  expect_time_near(*served, system_clock::now());
  expect_clean_stop(server.process);
}

TEST(ClockOne, HasNoThreadsFlag) {
  auto clock = start_program("clock1", {"-threads", "2"});
  EXPECT_EQ(clock.wait_exit(3s), 2);
}

TEST(NetcatOne, ConnectRefusedExitsOneWithOneLine) {
  const auto port = std::to_string(unused_port());
  auto netcat = start_program("netcat1", {"127.0.0.1", port});
  EXPECT_EQ(netcat.wait_exit(3s), 1);
  EXPECT_EQ(netcat.stderr_text(), "netcat1: connect 127.0.0.1:" + port + ": connection refused\n");
}

TEST(NetcatOne, BadUsageExitsTwo) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"localhost"}, {"localhost:0"}, {"-port", "70000"}, {"-x"}}) {
    auto netcat = start_program("netcat1", args);
    EXPECT_EQ(netcat.wait_exit(3s), 2) << args[0];
    EXPECT_TRUE(std::regex_match(netcat.stderr_text(), std::regex("netcat1: [^\n]+\n")))
        << netcat.stderr_text();
  }
}

}  // namespace
}  // namespace e2e
