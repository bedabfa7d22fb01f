// Starting the suite's real programs for end-to-end tests.
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/tcp_client.hpp"

namespace e2e {

using namespace std::chrono_literals;
using testsupport::ChildProcess;
using testsupport::TcpClient;

// Polls `condition` every 20 ms until it holds or `timeout` has passed.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// A server of the suite on a free loopback port, in UTC unless the options say otherwise.
struct Server {
  ChildProcess process;
  std::uint16_t port;
};

inline ChildProcess start_program(const std::string& program, std::vector<std::string> args,
                                  testsupport::ChildOptions options = {}) {
  args.insert(args.begin(), testsupport::bin(program));
  const bool zone_given = std::any_of(options.env.begin(), options.env.end(),
                                      [](const auto& variable) { return variable.first == "TZ"; });
  if (!zone_given) options.env.emplace_back("TZ", "UTC");
  return ChildProcess::start(std::move(args), std::move(options));
}

// A client of the suite (netcat1/2/3, clockwall) whose stdin is a pipe the test writes, or
// /dev/null, closed, or a file.
inline ChildProcess start_client(const std::string& program, std::vector<std::string> args,
                                 testsupport::StdinMode stdin_mode = testsupport::StdinMode::kPipe,
                                 std::string stdin_path = {}) {
  testsupport::ChildOptions options;
  options.stdin_mode = stdin_mode;
  options.stdin_path = std::move(stdin_path);
  return start_program(program, std::move(args), std::move(options));
}

inline Server start_server(const std::string& program, std::vector<std::string> args = {},
                           testsupport::ChildOptions options = {}) {
  args.insert(args.begin(), {"-port", "0"});
  ChildProcess process = start_program(program, std::move(args), std::move(options));
  const std::uint16_t port = process.wait_for_listening();
  return Server{std::move(process), port};
}

// Whether the programs under test are built with sanitizers, whose allocator keeps freed memory.
#if defined(GONET_SANITIZED)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

// For a test that measures a program's memory: under ASan, a small quarantine for freed memory,
// which would otherwise count up to 256 MiB.
inline testsupport::ChildOptions options_for_measuring_memory() {
  testsupport::ChildOptions options;
  const char* asan = std::getenv("ASAN_OPTIONS");
  options.env.emplace_back("ASAN_OPTIONS", std::string(asan ? asan : "") + ":quarantine_size_mb=4");
  return options;
}

// A sanitizer report in a child fails the test, even if the child went on.
inline void expect_no_sanitizer_report(ChildProcess& child) {
  const std::string err = child.stderr_text();
  EXPECT_EQ(err.find("ERROR: AddressSanitizer"), std::string::npos) << err;
  EXPECT_EQ(err.find("ERROR: LeakSanitizer"), std::string::npos) << err;
  EXPECT_EQ(err.find("runtime error:"), std::string::npos) << err;
  EXPECT_EQ(err.find("WARNING: ThreadSanitizer"), std::string::npos) << err;
}

// UBSan checks a vptr by probing memory through a pipe, which it cannot open while the process is
// out of descriptors, and then calls every object "invalid vptr". Those reports, and only those,
// are expected after descriptor exhaustion; any other sanitizer report fails the test.
void expect_no_sanitizer_report_but_vptr_probes(ChildProcess& child);

// Stops a server the way a user does and checks it went cleanly.
inline void expect_clean_stop(ChildProcess& child) {
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait_exit(3s), 0) << child.stderr_text();
  expect_no_sanitizer_report(child);
}

// A loopback port nobody listens on: bound for a moment to get a free number, then released.
std::uint16_t unused_port();

// Whether this machine has IPv6 loopback (::1 can be bound); tests of it skip where it has not.
bool has_ipv6_loopback();

// The resident memory of a running process in KiB (VmRSS in /proc/PID/status); -1 if unreadable.
long resident_kib(pid_t pid);

// Issue 22's probe of a server's memory: 3,000 connections each send 64 KiB without a newline,
// all before any closes, so that the server holds every partial line at once; then they all
// close. Expects the server (run with -log-level debug, `earlier` connections ended before) back
// within 32 MiB of its size before the probe 3 s after its last close, unless sanitizers keep
// what it freed.
void expect_memory_given_back_after_partial_lines(Server& server, std::size_t earlier);

// CPU time (user + system) a running process has used so far; -1 if unreadable.
std::chrono::milliseconds cpu_time(pid_t pid);

// The descriptors a running process has open (/proc/PID/fd); -1 if unreadable.
long open_descriptors(pid_t pid);

// How often the threads of a running process have been switched out, voluntarily or not
// (/proc/PID/task/*/status); -1 if unreadable. A process asleep with nothing due adds none; a
// wake-up a second, which CPU time (counted in 10 ms ticks) rounds away, adds one each time.
long context_switches(pid_t pid);

// An echo server's three echoes of a line, as they come over the wire.
std::string echo_text(const std::string& upper, const std::string& line, const std::string& lower);

// A client that sends `pattern` over and over, as fast as the server takes it, and never reads;
// for at most `limit`, or until it is destroyed.
class Flooder {
 public:
  Flooder(std::uint16_t port, std::string pattern, std::chrono::milliseconds limit);
  std::size_t sent() const { return sent_; }
  // Waits until the flood has ended, by the limit or because the server closed or reset.
  void join() { thread_.join(); }

 private:
  std::atomic<std::size_t> sent_{0};
  std::jthread thread_;
};

// Up to n lines, all within one timeout; fewer if they do not come.
std::vector<std::string> read_lines(TcpClient& client, std::size_t n,
                                    std::chrono::milliseconds timeout);

// `text` cut at each '\n'; a last line without one (a torn line) counts too.
std::vector<std::string> split_lines(const std::string& text);

// `n` bytes from a fixed-seed generator: the same "random" input on every run.
std::string random_bytes(std::size_t n, unsigned seed = 1);

// The wall-clock time of `at`, formatted in UTC with a strftime pattern.
std::string utc(std::chrono::system_clock::time_point at, const char* format = "%H:%M:%S");

}  // namespace e2e
