// The test support checked against standard tools and plain sockets, so that a failing end-to-end
// test points at the program under test and not at its harness.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/child_process.hpp"
#include "tests/support/screen.hpp"
#include "tests/support/tcp_client.hpp"
#include "tests/support/terminal_session.hpp"

namespace testsupport {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

ChildProcess shell(const std::string& script, ChildOptions opts = {}) {
  return ChildProcess::start({"/bin/sh", "-c", script}, std::move(opts));
}

TEST(ChildProcess, WaitsForAStderrLineAndReportsTheSignalThatEndsTheChild) {
  auto child = shell("echo starting >&2; echo hi there >&2; exec sleep 5");
  EXPECT_EQ(child.wait_for_stderr_line("hi", 2s), "hi there");
  EXPECT_EQ(child.stderr_text(), "starting\nhi there\n");
  EXPECT_TRUE(child.running());
  child.signal(SIGTERM);
  EXPECT_EQ(child.wait_exit(2s), 128 + SIGTERM);
  EXPECT_FALSE(child.running());
}

TEST(ChildProcess, TimesOutQuicklyWhenNothingComes) {
  auto child = shell("exec sleep 5");
  auto start = Clock::now();
  EXPECT_EQ(child.wait_for_stderr_line("never", 100ms), std::nullopt);
  EXPECT_EQ(child.wait_exit(50ms), std::nullopt);
  auto took = Clock::now() - start;
  EXPECT_GE(took, 150ms);
  EXPECT_LT(took, 600ms);
}

TEST(ChildProcess, GoesThroughStderrLinesInOrder) {
  auto child = shell("echo a1 >&2; echo b >&2; echo a2 >&2; printf tail >&2; exec sleep 5");
  EXPECT_EQ(child.wait_for_stderr_line("a", 2s), "a1");
  EXPECT_EQ(child.wait_for_stderr_line(std::regex("^a[0-9]$"), 2s), "a2");
  // "b" was passed over on the way to a2, and "tail" is not a whole line.
  EXPECT_EQ(child.wait_for_stderr_line([](std::string_view l) { return !l.empty(); }, 100ms),
            std::nullopt);
  EXPECT_EQ(child.stderr_text(), "a1\nb\na2\ntail");
}

TEST(ChildProcess, GivesUpOnStderrAsSoonAsTheChildExits) {
  auto child = shell("echo bye >&2; exit 3");
  auto start = Clock::now();
  EXPECT_EQ(child.wait_for_stderr_line("never", 5s), std::nullopt);
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_EQ(child.wait_exit(1s), 3);
  EXPECT_EQ(child.stderr_text(), "bye\n");
}

TEST(ChildProcess, FindsThePortOfTheListeningLine) {
  auto v4 = shell("echo 'clock2: listening on 127.0.0.1:41234' >&2; exec sleep 5");
  EXPECT_EQ(v4.wait_for_listening(), 41234);
  auto v6 = shell("echo 'reverb2: listening on [::1]:8010' >&2; exec sleep 5");
  EXPECT_EQ(v6.wait_for_listening(), 8010);
}

TEST(ChildProcess, QuotesStderrWhenTheServerExitsBeforeListening) {
  auto child = shell("echo 'clock2: listen localhost:8000: address already in use' >&2; exit 1");
  try {
    child.wait_for_listening(5s);
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("exited with status 1"), std::string::npos) << what;
    EXPECT_NE(what.find("address already in use"), std::string::npos) << what;
  }
}

TEST(ChildProcess, ThrowsWhenTheListeningLineDoesNotCome) {
  auto child = shell("echo 'clock2: starting' >&2; exec sleep 5");
  EXPECT_THROW(child.wait_for_listening(100ms), std::runtime_error);
}

TEST(ChildProcess, PipesStdinToStdout) {
  auto child = ChildProcess::start({"cat"});
  child.write_stdin("one\ntwo");
  EXPECT_EQ(child.read_stdout_line(2s), "one");
  EXPECT_EQ(child.read_stdout_line(50ms), std::nullopt);
  child.close_stdin();
  EXPECT_EQ(child.read_stdout_until_eof(2s), "two");
  EXPECT_TRUE(child.stdout_eof());
  EXPECT_EQ(child.wait_exit(2s), 0);
}

TEST(ChildProcess, WritesMoreThanThePipesHoldWithoutDeadlock) {
  auto child = ChildProcess::start({"cat"});
  std::string data(4 << 20, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 251);
  child.write_stdin(data);
  child.close_stdin();
  EXPECT_TRUE(child.read_stdout_bytes(data.size(), 5s) == data);
  EXPECT_EQ(child.wait_exit(2s), 0);
}

TEST(ChildProcess, KeepsReadingStderrWhileWaitingOnStdout) {
  auto child = shell("head -c 1000000 /dev/zero >&2; echo done");
  EXPECT_EQ(child.read_stdout_line(2s), "done");
  EXPECT_EQ(child.stderr_text().size(), 1000000u);
}

TEST(ChildProcess, ReportsAWriteToAChildThatIsGone) {
  auto child = ChildProcess::start({"true"});
  EXPECT_EQ(child.wait_exit(2s), 0);
  EXPECT_THROW(child.write_stdin("x"), std::runtime_error);
}

TEST(ChildProcess, SetsAndUnsetsEnvironmentVariables) {
  ::setenv("GONET_SELFTEST_GONE", "still here", 1);
  ::setenv("TZ", "UTC", 1);
  ChildOptions opts;
  opts.env = {{"TZ", "Asia/Tokyo"}};
  opts.unset_env = {"GONET_SELFTEST_GONE"};
  auto child = shell("echo \"$TZ|${GONET_SELFTEST_GONE-unset}\"", opts);
  EXPECT_EQ(child.read_stdout_line(2s), "Asia/Tokyo|unset");
  ::unsetenv("GONET_SELFTEST_GONE");
}

// (Options are set one by one: GCC 12 -Wextra warns about designated initializers that leave
// members out.)
std::string stdin_of_child(StdinMode mode) {
  ChildOptions opts;
  opts.stdin_mode = mode;
  auto child = ChildProcess::start({"readlink", "/proc/self/fd/0"}, opts);
  EXPECT_TRUE(child.wait_exit(2s).has_value());
  return child.read_stdout_until_eof(2s);
}

TEST(ChildProcess, GivesStdinAsAsked) {
  EXPECT_EQ(stdin_of_child(StdinMode::kDevNull), "/dev/null\n");
  EXPECT_EQ(stdin_of_child(StdinMode::kClosed), "");
  EXPECT_EQ(stdin_of_child(StdinMode::kPipe).rfind("pipe:", 0), 0u);

  char path[] = "/tmp/support_selftest_XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "from a file\n", 12), 12);
  ::close(fd);
  ChildOptions opts;
  opts.stdin_mode = StdinMode::kFile;
  opts.stdin_path = path;
  auto child = ChildProcess::start({"cat"}, opts);
  EXPECT_EQ(child.read_stdout_until_eof(2s), "from a file\n");
  ::unlink(path);
}

TEST(ChildProcess, KeepsTheTestsOtherFdsToItself) {
  int leaky[2];
  ASSERT_EQ(::pipe(leaky), 0);  // deliberately without O_CLOEXEC
  struct stat st;
  ASSERT_EQ(::fstat(leaky[0], &st), 0);
  auto child = shell("for f in /proc/$$/fd/*; do readlink $f; done");
  auto fds = child.read_stdout_until_eof(2s);
  EXPECT_NE(fds.find("pipe:["), std::string::npos) << fds;  // its stdout, at least
  EXPECT_EQ(fds.find("pipe:[" + std::to_string(st.st_ino) + "]"), std::string::npos) << fds;
  ::close(leaky[0]);
  ::close(leaky[1]);
}

TEST(ChildProcess, KillsAndReapsTheChildWhenDestroyed) {
  pid_t pid;
  {
    auto child = shell("exec sleep 5");
    pid = child.pid();
    auto moved = std::move(child);
    EXPECT_TRUE(moved.running());
  }
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

TEST(ChildProcess, ThrowsWhenTheProgramCannotBeExecuted) {
  try {
    ChildProcess::start({"/nonexistent/clock2"});
    ADD_FAILURE() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_such_file_or_directory);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/clock2"), std::string::npos);
  }
}

TEST(ChildProcess, RefusesToReadStdoutItDoesNotCapture) {
  ChildOptions opts;
  opts.capture_stdout = false;
  auto child = ChildProcess::start({"true"}, opts);
  EXPECT_THROW(child.read_stdout_line(10ms), std::logic_error);
  EXPECT_EQ(child.wait_exit(2s), 0);
}

TEST(Bin, NamesAProgramInTheBuildDirectory) {
  EXPECT_EQ(bin("clock2"), std::string(GONET_BIN_DIR) + "/clock2");
}

// A bare listening socket on loopback, standing in for a server under test.
class Listener {
 public:
  explicit Listener(int family = AF_INET) {
    fd_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_storage addr{};
    socklen_t len;
    if (family == AF_INET) {
      auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
      v4->sin_family = AF_INET;
      v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof *v4;
    } else {
      auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
      v6->sin6_family = AF_INET6;
      v6->sin6_addr = in6addr_loopback;
      len = sizeof *v6;
    }
    ok_ = fd_ >= 0 && ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) == 0 &&
          ::listen(fd_, 16) == 0 &&
          ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    port_ = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&addr)->sin_port
                                    : reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  }
  ~Listener() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return ok_; }
  std::uint16_t port() const { return port_; }
  // The accepted connection, or -1 if none came in time.
  int accept() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 2000) != 1) return -1;
    return ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  }

 private:
  int fd_ = -1;
  bool ok_ = false;
  std::uint16_t port_ = 0;
};

void put(int fd, std::string_view data) {
  ASSERT_EQ(::send(fd, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size()));
}

void abort_connection(int fd) {
  linger abort{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  ::close(fd);
}

TEST(TcpClient, ReadsWholeLinesAndKeepsTheRest) {
  Listener server;
  ASSERT_TRUE(server.ok());
  auto client = TcpClient::connect(server.port());
  int conn = server.accept();
  ASSERT_GE(conn, 0);
  put(conn, "one\ntw");
  EXPECT_EQ(client.read_line(2s), "one");
  EXPECT_EQ(client.read_line(50ms), std::nullopt);
  put(conn, "o\n\nthree");
  EXPECT_EQ(client.read_line(2s), "two");
  EXPECT_EQ(client.read_line(2s), "");
  ::close(conn);
  EXPECT_EQ(client.read_line(2s), std::nullopt);
  EXPECT_TRUE(client.eof());
  EXPECT_EQ(client.read_until_eof(2s), "three");
  EXPECT_FALSE(client.was_reset());
}

TEST(TcpClient, StampsEachLineWithItsArrival) {
  Listener server;
  ASSERT_TRUE(server.ok());
  auto client = TcpClient::connect(server.port());
  int conn = server.accept();
  ASSERT_GE(conn, 0);
  auto before = std::chrono::system_clock::now();
  put(conn, "a\nb\n");
  auto a = client.read_timed_line(2s);
  auto after = std::chrono::system_clock::now();
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->text, "a");
  EXPECT_GE(a->at, before);
  EXPECT_LE(a->at, after);
  // Read later, but it came with "a".
  std::this_thread::sleep_for(20ms);
  auto b = client.read_timed_line(2s);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->text, "b");
  EXPECT_EQ(b->at, a->at);
  put(conn, "c\n");
  auto c = client.read_timed_line(2s);
  ASSERT_TRUE(c.has_value());
  EXPECT_GE(c->at, a->at + 20ms);
  ::close(conn);
}

TEST(TcpClient, SeesTheServerCloseOrReset) {
  Listener server;
  ASSERT_TRUE(server.ok());
  auto closed = TcpClient::connect(server.port());
  auto reset = TcpClient::connect(server.port());
  int closed_conn = server.accept();
  int reset_conn = server.accept();
  ASSERT_GE(closed_conn, 0);
  ASSERT_GE(reset_conn, 0);

  EXPECT_FALSE(closed.wait_eof(50ms));
  put(closed_conn, "bye\n");
  ::close(closed_conn);
  EXPECT_TRUE(closed.wait_eof(2s));
  EXPECT_FALSE(closed.was_reset());
  EXPECT_EQ(closed.read_available(), "");

  abort_connection(reset_conn);
  EXPECT_TRUE(reset.wait_eof(2s));
  EXPECT_TRUE(reset.was_reset());
}

TEST(TcpClient, ResetsTheConnection) {
  Listener server;
  ASSERT_TRUE(server.ok());
  auto client = TcpClient::connect(server.port());
  int conn = server.accept();
  ASSERT_GE(conn, 0);
  client.reset();
  EXPECT_EQ(client.fd(), -1);
  pollfd p{conn, POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 2000), 1);
  char byte;
  EXPECT_EQ(::recv(conn, &byte, 1, 0), -1);
  EXPECT_EQ(errno, ECONNRESET);
  ::close(conn);
}

TEST(TcpClient, SendsEverythingThenHalfCloses) {
  Listener server;
  ASSERT_TRUE(server.ok());
  auto client = TcpClient::connect(server.port());
  int conn = server.accept();
  ASSERT_GE(conn, 0);
  std::string received;
  std::thread reader([&] {
    char chunk[65536];
    ssize_t n;
    while ((n = ::recv(conn, chunk, sizeof chunk, 0)) > 0) received.append(chunk, n);
  });
  std::string data(8 << 20, 'x');
  client.send(data);
  client.shutdown_write();
  reader.join();
  EXPECT_EQ(received.size(), data.size());
  // Half-closed: the other direction still works.
  put(conn, "still here\n");
  EXPECT_EQ(client.read_line(2s), "still here");
  ::close(conn);
}

TEST(TcpClient, GivesUpSendingToAServerThatDoesNotRead) {
  Listener server;
  ASSERT_TRUE(server.ok());
  auto client = TcpClient::connect(server.port());
  std::string data(64 << 20, 'x');
  auto start = Clock::now();
  EXPECT_LT(client.send_some(data, 100ms), data.size());
  EXPECT_THROW(client.send(data, 100ms), std::runtime_error);
  EXPECT_LT(Clock::now() - start, 1s);
}

TEST(TcpClient, ReportsARefusedConnection) {
  std::uint16_t port;
  {
    Listener gone;
    ASSERT_TRUE(gone.ok());
    port = gone.port();
  }
  EXPECT_EQ(TcpClient::try_connect(port), std::nullopt);
  try {
    TcpClient::connect(port);
    ADD_FAILURE() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::connection_refused);
  }
}

TEST(TcpClient, ShrinksTheReceiveBufferWhenAsked) {
  Listener server;
  ASSERT_TRUE(server.ok());
  auto client = TcpClient::connect(server.port(), "localhost", 4096);
  int size = 0;
  socklen_t len = sizeof size;
  ASSERT_EQ(::getsockopt(client.fd(), SOL_SOCKET, SO_RCVBUF, &size, &len), 0);
  EXPECT_LE(size, 2 * 4096);  // Linux doubles it for bookkeeping
}

TEST(TcpClient, ConnectsOverIpv6) {
  Listener server(AF_INET6);
  if (!server.ok()) GTEST_SKIP() << "no ::1 here";
  auto client = TcpClient::connect(server.port(), "[::1]");
  int conn = server.accept();
  ASSERT_GE(conn, 0);
  put(conn, "v6\n");
  EXPECT_EQ(client.read_line(2s), "v6");
  ::close(conn);
}

TEST(Screen, WrapsAtTheLastColumnAsXtermDoes) {
  Screen screen(5);
  screen.feed("abcde");
  EXPECT_EQ(screen.lines(), (std::vector<std::string>{"abcde"}));
  EXPECT_EQ(screen.cursor_line(), 0u) << "the cursor waits in the last column";
  screen.feed("\rx");
  EXPECT_EQ(screen.lines(), (std::vector<std::string>{"xbcde"})) << "\\r ends the wait";
  screen.feed("\r12345f");
  EXPECT_EQ(screen.lines(), (std::vector<std::string>{"12345", "f"}));
  Screen utf8(3);
  utf8.feed("Zür…");
  EXPECT_EQ(utf8.lines(), (std::vector<std::string>{"Zür", "…"}));
}

// Issue 22: a wide character takes two columns, a combining mark none.
TEST(Screen, GivesWideCharactersTwoColumnsAndMarksNone) {
  Screen screen(6);
  screen.feed("東京ab");
  EXPECT_EQ(screen.lines(), (std::vector<std::string>{"東京ab"}));
  screen.feed("c");
  EXPECT_EQ(screen.lines(), (std::vector<std::string>{"東京ab", "c"}));
  Screen marks(3);
  marks.feed("e\u0301\u0301xy");
  EXPECT_EQ(marks.lines(), (std::vector<std::string>{"e\u0301\u0301xy"}));
  Screen last(3);
  last.feed("ab東");  // no room for it in the last column: it wraps
  EXPECT_EQ(last.lines(), (std::vector<std::string>{"ab", "東"}));
  Screen over(4);
  over.feed("東京\rx");  // half of 東 overwritten: the other half goes too
  EXPECT_EQ(over.lines(), (std::vector<std::string>{"x 京"}));
}

TEST(Screen, RedrawsInPlaceWithCarriageReturnCursorUpAndErase) {
  Screen screen(20);
  screen.feed("head\r\nrow one\x1b[K");
  screen.feed("\rrow 2\x1b[K");
  EXPECT_EQ(screen.lines(), (std::vector<std::string>{"head", "row 2"}));
  screen.feed("\r\x1b[Ahead 2\x1b[K\r\nrow 3\x1b[K");
  EXPECT_EQ(screen.lines(), (std::vector<std::string>{"head 2", "row 3"}));
  screen.feed("\r\x1b[A\x1b[Jlog\r\n");
  EXPECT_EQ(screen.lines(), (std::vector<std::string>{"log"}));
  EXPECT_EQ(screen.cursor_line(), 1u);
  screen.feed("\x1b]0;title\x07\x1b(Bhead\r\nrow");
  EXPECT_EQ(screen.lines(), (std::vector<std::string>{"log", "head", "row"}));
}

TEST(Screen, CutsLinesWhenTheWindowNarrows) {
  Screen screen(10);
  screen.feed("0123456789");
  screen.resize(4);
  EXPECT_EQ(screen.lines(), (std::vector<std::string>{"0123"}));
  screen.feed("\rab");
  EXPECT_EQ(screen.lines(), (std::vector<std::string>{"ab23"}));
}

TEST(TerminalSession, SetsTheWindowSizeAndChangesIt) {
  TerminalSession terminal({"/bin/sh", "-c",
                            "stty size; trap 'stty size; exit' WINCH; "
                            "echo ready; while :; do sleep 0.01; done"},
                           {20, 24});
  EXPECT_NE(terminal.wait_for_screen("ready", 5s).find("24 20"), std::string::npos)
      << terminal.screen();
  terminal.resize({100, 30});
  EXPECT_NE(terminal.wait_for_screen("30 100", 5s).find("30 100"), std::string::npos)
      << terminal.screen();
  EXPECT_EQ(terminal.wait_exit(5s), 0);
}

}  // namespace
}  // namespace testsupport
