// netcat1, netcat2, netcat3 and clockwall against servers that misbehave: that close mid-stream,
// accept and never send, send a megabyte without a newline or send garbage; and with stdin
// closed or a regular file, and stdout a closed pipe. Each client ends with the documented exit
// status and at most one clear stderr line, or keeps running where that is the promise.
// (A server's reset is in netcat_test.cpp: *.SaysWhyWhenTheServerResets.)
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e/programs.hpp"
#include "tests/e2e/test_servers.hpp"

namespace e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testsupport::StdinMode;

// Something that happens once, on a server's thread, awaited with a deadline on the test's.
class Event {
 public:
  void set() {
    std::lock_guard lock(mutex_);
    set_ = true;
    changed_.notify_all();
  }
  bool wait(milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return set_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool set_ = false;
};

// Sets an event when it goes out of scope: declared after a server whose `serve` waits on the
// event, it lets that server end at once even when an assertion leaves the test early.
class SetOnExit {
 public:
  explicit SetOnExit(Event& event) : event_(event) {}
  ~SetOnExit() { event_.set(); }
  SetOnExit(const SetOnExit&) = delete;
  SetOnExit& operator=(const SetOnExit&) = delete;

 private:
  Event& event_;
};

// A megabyte of text without a newline.
std::string megabyte_line() {
  std::string line(1 << 20, 'x');
  for (std::size_t i = 0; i < line.size(); ++i) line[i] = static_cast<char>('a' + i % 26);
  return line;
}

// Every byte value from 0 to 255 (NUL, ^C, ^D, ESC, DEL, 0xFF among them), then random bytes in
// which every "\n" is followed by a NUL: no line of it is text a clock could send.
std::string garbage() {
  std::string bytes;
  for (int value = 0; value < 256; ++value) bytes += static_cast<char>(value);
  std::string rest = random_bytes(64 << 10, 8);
  for (std::size_t i = 0; i + 1 < rest.size(); ++i) {
    if (rest[i] == '\n') rest[i + 1] = '\0';
  }
  return bytes + rest;
}

// What a netcat prints on stderr at a normal end: netcat3 logs its done channel.
std::string clean_end_stderr(const std::string& program) {
  return program == "netcat3" ? "netcat3: done\n" : "";
}

// ---- closes mid-stream ----------------------------------------------------------------------

// The server sends a line, waits until it has been printed, sends half a line and closes: every
// byte is printed and the client ends as at any end of the connection (netcat2 and netcat3 with
// their stdin still open).
void expect_every_byte_and_zero_when_the_server_closes_mid_stream(const std::string& program) {
  Event printed;
  bool sent = false;
  OneClientServer server([&](int client) {
    sent = send_all(client, "12:00:00\n") && printed.wait(5s) && send_all(client, "12:00:0");
  });
  SetOnExit release(printed);
  auto netcat = start_client(program, {server.address()});
  const auto first = netcat.read_stdout_line(3s);
  printed.set();
  ASSERT_EQ(first, "12:00:00") << netcat.stderr_text();
  EXPECT_EQ(netcat.read_stdout_until_eof(3s), "12:00:0");
  EXPECT_EQ(netcat.wait_exit(2s), 0) << netcat.stderr_text();
  ASSERT_TRUE(server.wait_done(2s));
  EXPECT_TRUE(sent);
  EXPECT_EQ(netcat.stderr_text(), clean_end_stderr(program));
  expect_no_sanitizer_report(netcat);
}

TEST(BadServer, NetcatOneExitsZeroWhenTheServerClosesMidStream) {
  expect_every_byte_and_zero_when_the_server_closes_mid_stream("netcat1");
}

TEST(BadServer, NetcatTwoExitsZeroWhenTheServerClosesMidStream) {
  expect_every_byte_and_zero_when_the_server_closes_mid_stream("netcat2");
}

TEST(BadServer, NetcatThreeExitsZeroAndLogsDoneWhenTheServerClosesMidStream) {
  expect_every_byte_and_zero_when_the_server_closes_mid_stream("netcat3");
}

// ---- accepts and never sends ----------------------------------------------------------------

// A server that accepts and says nothing, and keeps the connection open (past the client's
// half-close too) until the test ends: the client waits for it as long as it takes, and a signal
// ends it as a shell expects, by that signal (common/net/client.cpp re-raises it after restoring
// stdio), with nothing on stderr.
void expect_waiting_until_a_signal(const std::string& program, StdinMode stdin_mode, int signal) {
  Event accepted, released;
  std::string received;
  bool half_closed = false;
  OneClientServer server([&](int client) {
    accepted.set();
    half_closed = read_to_eof(client, received);
    released.wait(10s);
  });
  SetOnExit release(released);
  auto netcat = start_client(program, {server.address()}, stdin_mode);
  ASSERT_TRUE(accepted.wait(3s)) << netcat.stderr_text();
  EXPECT_EQ(netcat.wait_exit(1s), std::nullopt) << program << " gave up on a silent server";
  netcat.signal(signal);
  EXPECT_EQ(netcat.wait_exit(2s), 128 + signal);
  EXPECT_EQ(netcat.stderr_text(), "");
  released.set();
  ASSERT_TRUE(server.wait_done(2s));
  EXPECT_EQ(received, "");
  if (stdin_mode == StdinMode::kClosed) {
    EXPECT_TRUE(half_closed) << "no half-close at stdin EOF";
  }
  expect_no_sanitizer_report(netcat);
}

TEST(BadServer, NetcatOneWaitsForASilentServerUntilSigint) {
  expect_waiting_until_a_signal("netcat1", StdinMode::kPipe, SIGINT);
}

TEST(BadServer, NetcatTwoWaitsForASilentServerUntilSigterm) {
  expect_waiting_until_a_signal("netcat2", StdinMode::kPipe, SIGTERM);
}

TEST(BadServer, NetcatThreeWaitsForASilentServerUntilSigint) {
  expect_waiting_until_a_signal("netcat3", StdinMode::kPipe, SIGINT);
}

// Its stdin closed, netcat3 half-closes and waits on its done channel for the server.
TEST(BadServer, NetcatThreeWithStdinClosedWaitsForASilentServerUntilSigterm) {
  expect_waiting_until_a_signal("netcat3", StdinMode::kClosed, SIGTERM);
}

// netcat2 ends at stdin EOF, whatever the server does (the book's point): closed at once.
TEST(BadServer, NetcatTwoWithStdinClosedExitsZeroAtOnceFromASilentServer) {
  Event released;
  std::string received;
  bool closed = false;
  OneClientServer server([&](int client) {
    closed = read_to_eof(client, received);
    released.wait(10s);
  });
  SetOnExit release(released);
  auto netcat = start_client("netcat2", {server.address()}, StdinMode::kClosed);
  EXPECT_EQ(netcat.wait_exit(2s), 0) << netcat.stderr_text();
  EXPECT_EQ(netcat.read_stdout_until_eof(1s), "");
  EXPECT_EQ(netcat.stderr_text(), "");
  released.set();
  ASSERT_TRUE(server.wait_done(2s));
  EXPECT_TRUE(closed) << "no clean end of the connection";
  EXPECT_EQ(received, "");
  expect_no_sanitizer_report(netcat);
}

// ---- a megabyte without a newline, and garbage ------------------------------------------------

// The server sends `data` and closes; netcat2 and netcat3 keep their stdin open meanwhile.
void expect_passed_unchanged(const std::string& program, const std::string& data,
                             StdinMode stdin_mode = StdinMode::kPipe,
                             const std::string& stdin_path = {}) {
  bool sent = false;
  OneClientServer server([&](int client) { sent = send_all(client, data); });
  auto netcat = start_client(program, {server.address()}, stdin_mode, stdin_path);
  const std::string out = netcat.read_stdout_until_eof(10s);
  EXPECT_EQ(netcat.wait_exit(2s), 0) << netcat.stderr_text();
  ASSERT_TRUE(server.wait_done(2s));
  EXPECT_TRUE(sent);
  EXPECT_EQ(out.size(), data.size());
  EXPECT_TRUE(out == data) << program << " changed the bytes";
  EXPECT_EQ(netcat.stderr_text(), clean_end_stderr(program));
  expect_no_sanitizer_report(netcat);
}

TEST(BadServer, NetcatOnePassesAMegabyteWithoutNewlineUnchanged) {
  expect_passed_unchanged("netcat1", megabyte_line());
}

TEST(BadServer, NetcatTwoPassesAMegabyteWithoutNewlineUnchanged) {
  expect_passed_unchanged("netcat2", megabyte_line());
}

TEST(BadServer, NetcatThreePassesAMegabyteWithoutNewlineUnchanged) {
  expect_passed_unchanged("netcat3", megabyte_line());
}

TEST(BadServer, NetcatOnePassesGarbageUnchanged) { expect_passed_unchanged("netcat1", garbage()); }

TEST(BadServer, NetcatTwoPassesGarbageUnchanged) { expect_passed_unchanged("netcat2", garbage()); }

TEST(BadServer, NetcatThreePassesGarbageUnchanged) {
  expect_passed_unchanged("netcat3", garbage());
}

// ---- stdin closed or a regular file -----------------------------------------------------------

// netcat1 never reads stdin: closed or a file, it copies the connection all the same.
TEST(BadServer, NetcatOneCopiesTheConnectionWithStdinClosed) {
  expect_passed_unchanged("netcat1", garbage(), StdinMode::kClosed);
}

TEST(BadServer, NetcatOneCopiesTheConnectionWithStdinAFile) {
  const TempFile file("never read\n");
  expect_passed_unchanged("netcat1", garbage(), StdinMode::kFile, file.path());
}

// The server says one line and hangs up on an upload of 8 MiB from a file, without reading it
// (so the kernel answers the upload with a reset). Whichever the client notices first, the end
// of the connection or the failed write, it ends with status 0 and a clean stderr, or status 1
// and one line that says what failed and why.
void expect_a_clean_end_when_the_server_hangs_up_on_an_upload(const std::string& program) {
  const TempFile file(random_bytes(8 << 20, 3));
  // netcat3 may have logged its done channel first, as the book's does before log.Fatal: the
  // server's end came in, then the failed write of the upload.
  const std::string done = program == "netcat3" ? "(netcat3: done\n)?" : "";
  const std::regex one_error_line(done + program +
                                  ": (read|write): (connection reset by peer|broken pipe)\n");
  for (int attempt = 0; attempt < 3; ++attempt) {
    OneClientServer server([&](int client) { send_all(client, "go away\n"); });
    auto netcat = start_client(program, {server.address()}, StdinMode::kFile, file.path());
    const std::string out = netcat.read_stdout_until_eof(5s);
    const auto status = netcat.wait_exit(3s);
    ASSERT_TRUE(status) << program << " kept running after the server hung up";
    const std::string err = netcat.stderr_text();
    if (*status == 0) {
      EXPECT_EQ(out, "go away\n") << "attempt " << attempt;
      EXPECT_EQ(err, clean_end_stderr(program)) << "attempt " << attempt;
    } else {
      EXPECT_EQ(*status, 1) << err;
      EXPECT_TRUE(std::regex_match(err, one_error_line)) << "attempt " << attempt << ": " << err;
      EXPECT_EQ(std::string("go away\n").rfind(out, 0), 0u) << out;  // at most what was sent
    }
    expect_no_sanitizer_report(netcat);
  }
}

TEST(BadServer, NetcatTwoWithStdinAFileEndsCleanlyWhenTheServerHangsUpOnTheUpload) {
  expect_a_clean_end_when_the_server_hangs_up_on_an_upload("netcat2");
}

TEST(BadServer, NetcatThreeWithStdinAFileEndsCleanlyWhenTheServerHangsUpOnTheUpload) {
  expect_a_clean_end_when_the_server_hangs_up_on_an_upload("netcat3");
}

// ---- stdout a closed pipe ---------------------------------------------------------------------

// `netcat1 | true`: the first write to stdout raises SIGPIPE, which ends the program (status
// 141) as it ends Go programs and Unix filters, silently and with no sanitizer report.
void expect_sigpipe_on_a_closed_stdout(const std::string& program, std::vector<std::string> args) {
  testsupport::ChildOptions options;
  options.close_stdout_reader = true;
  auto child = start_program(program, std::move(args), std::move(options));
  EXPECT_EQ(child.wait_exit(5s), 128 + SIGPIPE) << child.stderr_text();
  EXPECT_EQ(child.stderr_text(), "");
  expect_no_sanitizer_report(child);
}

// The server sends a line and keeps the connection open until the client has gone.
void expect_netcat_sigpipe_on_a_closed_stdout(const std::string& program) {
  std::string ignored;
  OneClientServer server([&](int client) {
    if (send_all(client, "12:00:00\n")) read_to_eof(client, ignored);
  });
  expect_sigpipe_on_a_closed_stdout(program, {server.address()});
  EXPECT_TRUE(server.wait_done(2s));
}

TEST(BadServer, NetcatOneEndsBySigpipeWhenStdoutIsAClosedPipe) {
  expect_netcat_sigpipe_on_a_closed_stdout("netcat1");
}

TEST(BadServer, NetcatTwoEndsBySigpipeWhenStdoutIsAClosedPipe) {
  expect_netcat_sigpipe_on_a_closed_stdout("netcat2");
}

TEST(BadServer, NetcatThreeEndsBySigpipeWhenStdoutIsAClosedPipe) {
  expect_netcat_sigpipe_on_a_closed_stdout("netcat3");
}

TEST(BadServer, ClockwallEndsBySigpipeWhenStdoutIsAClosedPipe) {
  auto clock = start_server("clock2");
  expect_sigpipe_on_a_closed_stdout("clockwall",
                                    {"-once", "UTC=127.0.0.1:" + std::to_string(clock.port)});
  expect_clean_stop(clock.process);
}

// ---- clockwall --------------------------------------------------------------------------------

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

// The kinds of bad clock, each a server that takes clockwall's reconnects in turn.
enum class BadClock { kSilent, kMegabyteLine, kGarbage };

// Accepts and never sends; holds each connection until clockwall closes it.
OneClientServer bad_clock_server(BadClock kind) {
  switch (kind) {
    case BadClock::kSilent:
      return OneClientServer(
          [](int client) {
            std::string ignored;
            read_to_eof(client, ignored);
          },
          8);
    case BadClock::kMegabyteLine:
      return OneClientServer([](int client) { send_all(client, megabyte_line()); }, 8);
    case BadClock::kGarbage:
      break;
  }
  // Ten lines of it, the first every byte value: more at once is a flood, shown down.
  return OneClientServer(
      [](int client) {
        const std::string bytes = garbage();
        std::size_t end = 0;
        for (int line = 0; line < 10 && end != std::string::npos; ++line) {
          end = bytes.find('\n', end == 0 ? 0 : end + 1);
        }
        std::string ignored;
        if (send_all(client, bytes.substr(0, end == std::string::npos ? end : end + 1))) {
          read_to_eof(client, ignored);
        }
      },
      8);
}

// One row of clockwall's output into a pipe, split in the Tokyo and the Bad column.
struct Row {
  std::string tokyo, bad;
};

std::optional<Row> read_row(ChildProcess& wall) {
  const auto line = wall.read_stdout_line(2s);
  if (!line) return std::nullopt;
  const auto cells = words(*line);
  if (cells.size() != 2) return Row{*line, "(not two columns)"};
  return Row{cells[0], cells[1]};
}

const std::regex kTime(R"(\d\d:\d\d:\d\d)");

// Reads rows until the Bad column shows `until`, at most `rows`; checks that Tokyo ticks in each
// and, if `before` is given, that Bad shows it until then.
std::optional<Row> read_rows_until(ChildProcess& wall, const std::string& until, int rows,
                                   std::optional<std::string> before = std::nullopt) {
  for (int i = 0; i < rows; ++i) {
    const auto row = read_row(wall);
    if (!row) {
      ADD_FAILURE() << "no row " << i << ": " << wall.stderr_text();
      return std::nullopt;
    }
    EXPECT_TRUE(std::regex_match(row->tokyo, kTime)) << "Tokyo shows " << row->tokyo;
    if (row->bad == until) return row;
    if (before) {
      EXPECT_EQ(row->bad, *before) << "row " << i;
    }
  }
  return std::nullopt;
}

// The bad clock's column shows down while Tokyo keeps ticking, and clockwall keeps running
// (until SIGTERM, which ends it by that signal).
void expect_down_beside_a_ticking_clock(BadClock kind, milliseconds at_least, int within_rows,
                                        std::optional<std::string> before = std::nullopt) {
  testsupport::ChildOptions tokyo_options;
  tokyo_options.env = {{"TZ", "Asia/Tokyo"}};
  auto tokyo = start_server("clock2", {}, tokyo_options);
  OneClientServer bad = bad_clock_server(kind);
  auto wall = start_program(
      "clockwall", {"Tokyo=127.0.0.1:" + std::to_string(tokyo.port), "Bad=" + bad.address()});
  const auto started = steady_clock::now();
  const auto header = wall.read_stdout_line(2s);
  ASSERT_TRUE(header) << wall.stderr_text();
  EXPECT_EQ(words(*header), (std::vector<std::string>{"Tokyo", "Bad"}));
  const auto down = read_rows_until(wall, "down", within_rows, before);
  ASSERT_TRUE(down) << "Bad never showed down";
  EXPECT_GE(steady_clock::now() - started, at_least) << "down too early";
  const auto next = read_row(wall);
  ASSERT_TRUE(next) << wall.stderr_text();
  EXPECT_EQ(next->bad, "down");
  EXPECT_NE(next->tokyo, down->tokyo) << "Tokyo stopped ticking";
  EXPECT_GE(bad.accepted(), 1);
  EXPECT_TRUE(wall.running());
  wall.signal(SIGTERM);
  EXPECT_EQ(wall.wait_exit(2s), 128 + SIGTERM);
  expect_no_sanitizer_report(wall);
  expect_clean_stop(tokyo.process);
}

// Connected but silent for 5 s means down; the silent column shows "-" (waiting) until then.
TEST(BadServer, ClockwallShowsAClockThatAcceptsAndNeverSendsDownAfterFiveSeconds) {
  expect_down_beside_a_ticking_clock(BadClock::kSilent, 4500ms, 8, "-");
}

// A line over clockwall's limit (4 KiB) ends that connection at once: down, no crash.
TEST(BadServer, ClockwallShowsAClockThatSendsAMegabyteWithoutNewlineDown) {
  expect_down_beside_a_ticking_clock(BadClock::kMegabyteLine, 0ms, 3);
}

// SPEC, clockwall: "When a clock goes down or comes back, one stderr line says which and why":
// once per outage, not once per retry.
TEST(BadServer, ClockwallSaysOnStderrWhenAClockGoesDownAndWhenItComesBack) {
  auto tokyo = start_server("clock2");
  // The first two connections get a megabyte without a newline, the next ones a time, as a
  // clock: down for the 1 s + 2 s of the first two retries, so that at least two rows (one a
  // second, the first up to 1.3 s after the start) show it.
  std::atomic<int> turn = 0;
  OneClientServer bad(
      [&](int client) {
        std::string ignored;
        if (turn++ < 2) {
          send_all(client, megabyte_line());
        } else if (send_all(client, "12:00:00\n")) {
          read_to_eof(client, ignored);
        }
      },
      5);
  auto wall = start_program(
      "clockwall", {"Tokyo=127.0.0.1:" + std::to_string(tokyo.port), "Bad=" + bad.address()});
  ASSERT_TRUE(wall.read_stdout_line(2s)) << wall.stderr_text();  // header
  ASSERT_TRUE(read_rows_until(wall, "down", 3)) << "Bad never showed down";
  ASSERT_TRUE(read_rows_until(wall, "12:00:00", 4)) << "Bad never came back";
  const std::string err = wall.stderr_text();
  EXPECT_TRUE(std::regex_match(err, std::regex("clockwall: [^\n]*Bad[^\n]*\n"
                                               "clockwall: [^\n]*Bad[^\n]*\n")))
      << "want one line when Bad went down and one when it came back, got: "
      << testing::PrintToString(err);
  wall.signal(SIGTERM);
  EXPECT_EQ(wall.wait_exit(2s), 128 + SIGTERM);
  expect_no_sanitizer_report(wall);
  expect_clean_stop(tokyo.process);
}

// Random binary lines are shown escaped and cut short: not one control byte reaches stdout (C0,
// DEL, or C1 as UTF-8).
TEST(BadServer, ClockwallPrintsNoControlByteOfAGarbageClock) {
  auto tokyo = start_server("clock2");
  OneClientServer bad = bad_clock_server(BadClock::kGarbage);
  auto wall = start_program(
      "clockwall", {"Tokyo=127.0.0.1:" + std::to_string(tokyo.port), "Bad=" + bad.address()});
  std::string out;
  for (int i = 0; i < 4; ++i) {
    const auto line = wall.read_stdout_line(2s);
    ASSERT_TRUE(line) << "line " << i << ": " << wall.stderr_text();
    out += *line + "\n";
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto byte = static_cast<unsigned char>(out[i]);
    const bool c1 = byte == 0xC2 && i + 1 < out.size() &&
                    static_cast<unsigned char>(out[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(out[i + 1]) < 0xA0;
    ASSERT_TRUE((byte >= 0x20 && byte != 0x7F && !c1) || byte == '\n')
        << "byte " << i << ": " << testing::PrintToString(out);
  }
  EXPECT_NE(out.find("\\x"), std::string::npos) << "nothing shown escaped: " << out;
  EXPECT_TRUE(wall.running());
  wall.signal(SIGTERM);
  EXPECT_EQ(wall.wait_exit(2s), 128 + SIGTERM);
  expect_no_sanitizer_report(wall);
  expect_clean_stop(tokyo.process);
}

// `-once` with a bad clock: the header and a row with it down, then status 1 and one line that
// names it.
void expect_once_to_name_the_bad_clock(BadClock kind, const std::string& why) {
  auto tokyo = start_server("clock2");
  OneClientServer bad = bad_clock_server(kind);
  auto wall = start_program(
      "clockwall", {"-once", "-timeout", "1s", "Tokyo=127.0.0.1:" + std::to_string(tokyo.port),
                    "Bad=" + bad.address()});
  EXPECT_EQ(wall.wait_exit(4s), 1) << wall.stderr_text();
  const std::string out = wall.read_stdout_until_eof(1s);
  EXPECT_TRUE(std::regex_match(out, std::regex(R"(Tokyo +Bad\n\d\d:\d\d:\d\d +down\n)")))
      << testing::PrintToString(out);
  EXPECT_EQ(wall.stderr_text(), "clockwall: Bad (" + bad.address() + "): " + why + "\n");
  expect_no_sanitizer_report(wall);
  expect_clean_stop(tokyo.process);
}

TEST(BadServer, ClockwallOnceExitsOneNamingAClockThatAcceptsAndNeverSends) {
  expect_once_to_name_the_bad_clock(BadClock::kSilent, "no time within 1s");
}

TEST(BadServer, ClockwallOnceExitsOneNamingAClockThatSendsAMegabyteWithoutNewline) {
  expect_once_to_name_the_bad_clock(BadClock::kMegabyteLine, "line longer than 4096 bytes");
}

TEST(BadServer, ClockwallOnceExitsOneNamingAClockThatSendsGarbage) {
  expect_once_to_name_the_bad_clock(BadClock::kGarbage, "no time within 1s");
}

}  // namespace
}  // namespace e2e
