// netcat1, netcat2 and netcat3 as users run them: against reverb2 and against small servers of
// the test's own, with stdin a pipe, a file, /dev/null, closed or a terminal.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <functional>
#include <latch>
#include <mutex>
#include <random>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/programs.hpp"
#include "tests/e2e/test_servers.hpp"
#include "tests/support/terminal_session.hpp"

namespace e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testsupport::StdinMode;

const std::string kHelloEchoes = echo_text("HELLO?", "Hello?", "hello?");

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return hash;
}

// Compares megabytes without printing them.
void expect_same_bytes(const std::string& actual, const std::string& expected, const char* what) {
  if (actual == expected) return;
  const auto mismatch =
      std::mismatch(actual.begin(), actual.end(), expected.begin(), expected.end());
  ADD_FAILURE() << what << ": " << actual.size() << " bytes (checksum " << std::hex << fnv1a(actual)
                << ") instead of " << std::dec << expected.size() << " bytes (checksum " << std::hex
                << fnv1a(expected) << std::dec << "), first difference at byte "
                << (mismatch.first - actual.begin());
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(NetcatThree, PrintsEveryEchoOfPipedInputAndLogsDone) {
  auto server = start_server("reverb2", {"-delay", "100ms"});
  auto netcat = start_client("netcat3", {"127.0.0.1:" + std::to_string(server.port)});
  netcat.write_stdin("Hello?\n");
  netcat.close_stdin();
  EXPECT_EQ(netcat.read_stdout_until_eof(3s), kHelloEchoes);
  EXPECT_EQ(netcat.wait_exit(2s), 0);
  EXPECT_TRUE(has_line(netcat.stderr_text(), "netcat3: done")) << netcat.stderr_text();
  expect_no_sanitizer_report(netcat);
  expect_clean_stop(server.process);
}

// `printf 'Hello?' | netcat3`: the server must close after echoing a last line without "\n",
// however its bytes and the half-close arrive, or netcat3 waits for ever.
TEST(NetcatThree, PrintsEveryEchoOfALastLineWithoutNewline) {
  auto server = start_server("reverb2", {"-delay", "0"});
  for (int attempt = 0; attempt < 15; ++attempt) {
    auto netcat = start_client("netcat3", {"127.0.0.1:" + std::to_string(server.port)});
    netcat.write_stdin("Hello?");
    netcat.close_stdin();
    ASSERT_EQ(netcat.read_stdout_until_eof(3s), kHelloEchoes) << "attempt " << attempt;
    ASSERT_EQ(netcat.wait_exit(2s), 0) << "attempt " << attempt;
    expect_no_sanitizer_report(netcat);
  }
  expect_clean_stop(server.process);
}

TEST(NetcatThree, ReadsStdinFromARegularFile) {
  // reverb1 answers one line after another, so the output is known to the byte.
  const std::vector<std::string> lines = {"Hello?", "Is there anybody there?", "Yooo-hooo!",
                                          "¿Qué?"};
  std::string input, expected;
  for (const auto& line : lines) input += line + "\n";
  expected = kHelloEchoes +
             echo_text("IS THERE ANYBODY THERE?", lines[1], "is there anybody there?") +
             echo_text("YOOO-HOOO!", lines[2], "yooo-hooo!") + echo_text("¿QUÉ?", "¿Qué?", "¿qué?");
  const TempFile file(input);
  auto server = start_server("reverb1", {"-delay", "50ms"});
  auto netcat = start_client("netcat3", {"127.0.0.1", std::to_string(server.port)},
                             StdinMode::kFile, file.path());
  EXPECT_EQ(netcat.read_stdout_until_eof(5s), expected) << netcat.stderr_text();
  EXPECT_EQ(netcat.wait_exit(2s), 0) << netcat.stderr_text();
  expect_no_sanitizer_report(netcat);
  expect_clean_stop(server.process);
}

TEST(NetcatTwo, ExitsAtStdinEofBeforeTheEchoesEnd) {
  auto server = start_server("reverb2", {"-delay", "2s"});
  auto netcat = start_client("netcat2", {"127.0.0.1:" + std::to_string(server.port)});
  netcat.write_stdin("Hello?\n");
  netcat.close_stdin();
  EXPECT_EQ(netcat.wait_exit(1s), 0) << "still running a second after stdin ended";
  // The echo goes on for 4 s: at most its first line can have come.
  const std::string out = netcat.read_stdout_until_eof(1s);
  EXPECT_TRUE(out.empty() || out == "\t HELLO?\n") << out;
  expect_no_sanitizer_report(netcat);
  expect_clean_stop(server.process);
}

TEST(NetcatTwo, SendsAllOfStdinBeforeItExits) {
  const std::string data = random_bytes(1 << 20);
  const TempFile file(data);
  std::string received;
  bool ended = false;
  OneClientServer server([&](int client) { ended = read_to_eof(client, received); });
  auto netcat = start_client("netcat2", {server.address()}, StdinMode::kFile, file.path());
  EXPECT_EQ(netcat.wait_exit(5s), 0) << netcat.stderr_text();
  ASSERT_TRUE(server.wait_done(5s));
  EXPECT_TRUE(ended) << "no clean end of the connection";
  expect_same_bytes(received, data, "what the server received");
  expect_no_sanitizer_report(netcat);
}

// netcat2 and netcat3 end when the server ends the connection, although stdin stays open.
void expect_exit_when_the_server_closes(const std::string& program) {
  OneClientServer server([](int client) { send_all(client, "bye\n"); });
  auto netcat = start_client(program, {server.address()});
  EXPECT_EQ(netcat.read_stdout_line(2s), "bye");
  ASSERT_TRUE(server.wait_done(2s));
  EXPECT_EQ(netcat.wait_exit(1s), 0)
      << program << " did not end with the connection: " << netcat.stderr_text();
  expect_no_sanitizer_report(netcat);
}

// A reset while stdin is still open: status 1 and one line that says what failed and why, the
// same from all three (netcat3 once said "multiple exceptions": both its coroutines failed).
void expect_one_line_when_the_server_resets(const std::string& program) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    std::latch printed(1);  // the reset comes once the connection is surely up
    OneClientServer server([&](int client) {
      send_all(client, "bye\n");
      printed.wait();
      const linger abort{1, 0};
      ::setsockopt(client, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    });
    auto netcat = start_client(program, {server.address()});
    const bool got_bye = netcat.read_stdout_line(2s) == "bye";
    printed.count_down();
    ASSERT_TRUE(got_bye) << netcat.stderr_text();
    ASSERT_TRUE(server.wait_done(2s));
    ASSERT_EQ(netcat.wait_exit(2s), 1) << netcat.stderr_text();
    EXPECT_EQ(netcat.stderr_text(), program + ": read: connection reset by peer\n")
        << "attempt " << attempt;
  }
}

TEST(NetcatOne, SaysWhyWhenTheServerResets) { expect_one_line_when_the_server_resets("netcat1"); }

TEST(NetcatTwo, SaysWhyWhenTheServerResets) { expect_one_line_when_the_server_resets("netcat2"); }

TEST(NetcatThree, SaysWhyWhenTheServerResets) { expect_one_line_when_the_server_resets("netcat3"); }

TEST(NetcatTwo, ExitsWhenTheServerCloses) { expect_exit_when_the_server_closes("netcat2"); }

TEST(NetcatThree, ExitsWhenTheServerCloses) { expect_exit_when_the_server_closes("netcat3"); }

TEST(NetcatThree, PassesEightMebibytesOfBinaryDataBothWaysUnchanged) {
  const std::string data = random_bytes(8 << 20);
  const TempFile file(data);
  std::string received;
  bool ended = false;
  bool sent_back = false;
  // Everything up to the half-close, then all of it back.
  OneClientServer server([&](int client) {
    ended = read_to_eof(client, received);
    sent_back = send_all(client, received);
  });
  auto netcat = start_client("netcat3", {server.address()}, StdinMode::kFile, file.path());
  const std::string out = netcat.read_stdout_until_eof(30s);
  EXPECT_EQ(netcat.wait_exit(5s), 0) << netcat.stderr_text();
  ASSERT_TRUE(server.wait_done(5s));
  EXPECT_TRUE(ended) << "no half-close after stdin";
  EXPECT_TRUE(sent_back);
  expect_same_bytes(received, data, "upward, what the server received");
  expect_same_bytes(out, data, "downward, what netcat3 printed");
  expect_no_sanitizer_report(netcat);
}

TEST(NetcatOne, PassesEightMebibytesOfBinaryDataUnchanged) {
  const std::string data = random_bytes(8 << 20);
  OneClientServer server([&](int client) { send_all(client, data); });
  auto netcat = start_client("netcat1", {server.address()}, StdinMode::kDevNull);
  const std::string out = netcat.read_stdout_until_eof(30s);
  EXPECT_EQ(netcat.wait_exit(5s), 0) << netcat.stderr_text();
  expect_same_bytes(out, data, "what netcat1 printed");
  expect_no_sanitizer_report(netcat);
}

// With an empty stdin netcat3 half-closes at once and still prints what the server sends after.
void expect_half_close_at_once(StdinMode stdin_mode) {
  std::string received;
  bool ended = false;
  steady_clock::duration until_eof{};
  OneClientServer server([&](int client) {
    const auto accepted = steady_clock::now();
    ended = read_to_eof(client, received);
    until_eof = steady_clock::now() - accepted;
    send_all(client, "after your eof\n");
  });
  auto netcat = start_client("netcat3", {server.address()}, stdin_mode);
  EXPECT_EQ(netcat.read_stdout_until_eof(3s), "after your eof\n") << netcat.stderr_text();
  EXPECT_EQ(netcat.wait_exit(2s), 0) << netcat.stderr_text();
  ASSERT_TRUE(server.wait_done(2s));
  EXPECT_TRUE(ended);
  EXPECT_EQ(received, "");
  EXPECT_LT(until_eof, 1s) << "the half-close came late";
  EXPECT_TRUE(has_line(netcat.stderr_text(), "netcat3: done")) << netcat.stderr_text();
  expect_no_sanitizer_report(netcat);
}

TEST(NetcatThree, HalfClosesAtOnceWhenStdinIsDevNull) {
  expect_half_close_at_once(StdinMode::kDevNull);
}

TEST(NetcatThree, HalfClosesAtOnceWhenStdinIsClosed) {
  expect_half_close_at_once(StdinMode::kClosed);
}

bool same_terminal_settings(const termios& a, const termios& b) {
  return a.c_iflag == b.c_iflag && a.c_oflag == b.c_oflag && a.c_cflag == b.c_cflag &&
         a.c_lflag == b.c_lflag && std::equal(std::begin(a.c_cc), std::end(a.c_cc), b.c_cc);
}

TEST(Netcat, LeavesTheTerminalAsItFoundIt) {
  for (const std::string program : {"netcat2", "netcat3"}) {
    auto server = start_server("reverb2", {"-delay", "50ms"});
    testsupport::TerminalSession session(
        {testsupport::bin(program), "127.0.0.1:" + std::to_string(server.port)});
    const int flags_before = ::fcntl(session.slave(), F_GETFL);
    termios settings_before{};
    ASSERT_EQ(::tcgetattr(session.slave(), &settings_before), 0);
    ASSERT_EQ(flags_before & O_NONBLOCK, 0);
    // The user types a line, sees its first echo, and ends the input with ^D.
    session.type("Hello?\n");
    const std::string& screen = session.wait_for_screen("\t HELLO?", 3s);
    ASSERT_NE(screen.find("\t HELLO?"), std::string::npos) << program << " showed: " << screen;
    // While it runs too: the terminal's description is the shell's and stderr's as well, and a
    // non-blocking stderr loses log lines to EAGAIN.
    EXPECT_EQ(::fcntl(session.slave(), F_GETFL) & O_NONBLOCK, 0)
        << program << " made the terminal non-blocking while it ran";
    session.type("\x04");
    EXPECT_EQ(session.wait_exit(3s), 0) << program << " showed: " << screen;
    if (program == "netcat3") {
      EXPECT_NE(screen.find("\t hello?"), std::string::npos) << screen;
      EXPECT_NE(screen.find("netcat3: done"), std::string::npos) << screen;
    }
    EXPECT_EQ(screen.find("Sanitizer"), std::string::npos) << screen;
    EXPECT_EQ(::fcntl(session.slave(), F_GETFL), flags_before)
        << program << " left the terminal's flags changed (O_NONBLOCK is " << O_NONBLOCK << ")";
    termios settings_after{};
    ASSERT_EQ(::tcgetattr(session.slave(), &settings_after), 0);
    EXPECT_TRUE(same_terminal_settings(settings_before, settings_after)) << program;
    expect_clean_stop(server.process);
  }
}

TEST(NetcatThree, TakesTheServerInEveryForm) {
  auto v4 = start_server("reverb2", {"-delay", "20ms"});
  auto v6 = start_server("reverb2", {"-delay", "20ms", "-host", "::1"});
  const std::string port = std::to_string(v4.port);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"127.0.0.1:" + port},
        {"127.0.0.1", port},
        {"localhost:" + port},
        {"-host", "127.0.0.1", "-port", port},
        {"--port=" + port},
        {"[::1]:" + std::to_string(v6.port)},
        {"-host", "::1", "-port", std::to_string(v6.port)}}) {
    auto netcat = start_client("netcat3", args);
    netcat.write_stdin("Hello?\n");
    netcat.close_stdin();
    EXPECT_EQ(netcat.read_stdout_until_eof(3s), kHelloEchoes)
        << testing::PrintToString(args) << ": " << netcat.stderr_text();
    EXPECT_EQ(netcat.wait_exit(2s), 0) << testing::PrintToString(args);
  }
  expect_clean_stop(v4.process);
  expect_clean_stop(v6.process);
}

TEST(Netcat, ConnectRefusedExitsOneWithOneLine) {
  const auto port = std::to_string(unused_port());
  for (const std::string program : {"netcat2", "netcat3"}) {
    auto netcat = start_client(program, {"127.0.0.1", port});
    EXPECT_EQ(netcat.wait_exit(3s), 1) << program;
    EXPECT_EQ(netcat.stderr_text(),
              program + ": connect 127.0.0.1:" + port + ": connection refused\n");
  }
}

TEST(Netcat, BadUsageExitsTwoWithOneLine) {
  for (const std::string program : {"netcat2", "netcat3"}) {
    for (const std::vector<std::string>& args : {std::vector<std::string>{"localhost"},
                                                 {"localhost:0"},
                                                 {"localhost:8o00"},
                                                 {"-port", "70000"},
                                                 {"localhost", "8000", "extra"},
                                                 {"-x"}}) {
      auto netcat = start_client(program, args);
      EXPECT_EQ(netcat.wait_exit(3s), 2) << program << " " << testing::PrintToString(args);
      EXPECT_TRUE(std::regex_match(netcat.stderr_text(), std::regex(program + ": [^\n]+\n")))
          << program << " " << testing::PrintToString(args) << ": " << netcat.stderr_text();
    }
  }
}

TEST(Netcat, APortOutOfRangeIsSaidSo) {
  for (const std::string program : {"netcat1", "netcat2", "netcat3"}) {
    for (const std::string server : {"localhost:0", "localhost:65536", "[::1]:99999"}) {
      auto netcat = start_client(program, {server});
      EXPECT_EQ(netcat.wait_exit(3s), 2) << program << " " << server;
      EXPECT_EQ(netcat.stderr_text(), program + ": invalid server \"" + server +
                                          "\": port out of range (1 to 65535); see --help\n");
    }
  }
  auto wall = start_client("clockwall", {"Mars=localhost:0"});
  EXPECT_EQ(wall.wait_exit(3s), 2);
  EXPECT_EQ(wall.stderr_text(),
            "clockwall: invalid clock \"Mars=localhost:0\": port out of range (1 to 65535); see "
            "--help\n");
}

}  // namespace
}  // namespace e2e
