// The servers under systemd's socket activation, started the way systemd starts them: by
// systemd-socket-activate, which listens, waits for the first connection, then execs the server
// (same process) with the listening socket as descriptor 3 and LISTEN_FDS/LISTEN_PID set.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/e2e/programs.hpp"

namespace e2e {
namespace {

// A server started by systemd-socket-activate, listening on loopback at `ports`.
struct Activated {
  ChildProcess process;
  std::vector<std::uint16_t> ports;
  std::uint16_t port() const { return ports.front(); }
};

testsupport::ChildOptions activation_environment() {
  testsupport::ChildOptions options;
  options.env = {{"TZ", "UTC"}, {"SYSTEMD_LOG_TARGET", "console"}, {"SYSTEMD_LOG_COLOR", "0"}};
  return options;
}

// systemd-socket-activate [activate_options] -l 127.0.0.1:PORT... PROGRAM ARGS, on `sockets`
// free ports. A port found free may be taken before systemd-socket-activate binds it (it takes no
// port 0): then it starts again on others.
Activated activate(const std::string& program, std::vector<std::string> args = {}, int sockets = 1,
                   const std::vector<std::string>& activate_options = {}) {
  for (int attempt = 1;; ++attempt) {
    std::vector<std::string> argv{"systemd-socket-activate"};
    argv.insert(argv.end(), activate_options.begin(), activate_options.end());
    std::vector<std::uint16_t> ports;
    for (int i = 0; i < sockets; ++i) {
      ports.push_back(unused_port());
      argv.insert(argv.end(), {"-l", "127.0.0.1:" + std::to_string(ports.back())});
    }
    argv.push_back(testsupport::bin(program));
    argv.insert(argv.end(), args.begin(), args.end());
    auto process = ChildProcess::start(argv, activation_environment());
    bool listening = true;
    for (const auto port : ports) {
      const auto line = "Listening on 127.0.0.1:" + std::to_string(port) + " as";
      listening = listening && process.wait_for_stderr_line(line, 5s);
    }
    if (listening) return Activated{std::move(process), ports};
    const std::string err = process.stderr_text();
    if (attempt == 20 || err.find("Address already in use") == std::string::npos) {
      throw std::runtime_error("systemd-socket-activate did not listen:\n" + err);
    }
  }
}

// The line a server logs when it serves the socket systemd passed.
std::string systemd_listening_line(const std::string& program, std::uint16_t port) {
  return program + ": socket from systemd: listening on 127.0.0.1:" + std::to_string(port);
}

bool is_time_of_day(const std::optional<std::string>& line) {
  static const std::regex time_of_day("[0-2][0-9]:[0-5][0-9]:[0-6][0-9]");
  return line && std::regex_match(*line, time_of_day);
}

// The lines of one echo, without the '\n's.
std::vector<std::string> echo_of(const std::string& upper, const std::string& line,
                                 const std::string& lower) {
  return {"\t " + upper, "\t " + line, "\t " + lower};
}

// The inode of the socket behind a descriptor of process `pid`, as /proc names it
// ("socket:[12345]"); empty if it is not a socket.
std::string socket_of(pid_t pid, const std::string& fd) {
  std::error_code ec;
  const auto target =
      std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/fd/" + fd, ec).string();
  return target.starts_with("socket:") ? target : "";
}

// How many epoll instances of process `pid` (one per event loop) watch the socket its descriptor
// 3 is, each through a descriptor of its own.
int event_loops_watching_fd_3(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  const std::string listening = socket_of(pid, "3");
  std::set<std::string> watching_fds;
  int loops = 0;
  for (const auto& entry : std::filesystem::directory_iterator(proc + "/fd")) {
    std::error_code ec;
    if (std::filesystem::read_symlink(entry.path(), ec).string() != "anon_inode:[eventpoll]") {
      continue;
    }
    std::ifstream info(proc + "/fdinfo/" + entry.path().filename().string());
    bool watches = false;
    for (std::string word; info >> word;) {
      if (word != "tfd:") continue;
      std::string fd;
      info >> fd;
      if (!listening.empty() && socket_of(pid, fd) == listening) {
        watches = true;
        watching_fds.insert(fd);
      }
    }
    loops += watches ? 1 : 0;
  }
  return static_cast<int>(watching_fds.size()) == loops ? loops : -1;
}

void send_datagram(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(port);
  ::sendto(fd, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  ::close(fd);
}

// Expects `process` to exit 1 with `error` as the one line it wrote itself (systemd-socket-activate
// writes its own before it execs the server).
void expect_one_line_error(ChildProcess& process, const std::string& program,
                           const std::string& error) {
  EXPECT_EQ(process.wait_exit(5s), 1);
  std::istringstream err(process.stderr_text());
  std::vector<std::string> own;
  for (std::string line; std::getline(err, line);) {
    if (line.starts_with(program + ":")) own.push_back(line);
  }
  EXPECT_EQ(own, std::vector<std::string>{error}) << process.stderr_text();
  expect_no_sanitizer_report(process);
}

TEST(SocketActivation, ClockTwoServesTheClientWhoseConnectStartedIt) {
  // The connection waits in the backlog of systemd's socket while the server starts: repeated,
  // since a server that bound a socket of its own instead would leave it there only sometimes.
  for (int i = 0; i < 10; ++i) {
    auto server = activate("clock2");
    auto first = TcpClient::connect(server.port());
    EXPECT_TRUE(is_time_of_day(first.read_line(5s))) << server.process.stderr_text();
    expect_clean_stop(server.process);
  }
}

TEST(SocketActivation, LogsThatItsSocketCameFromSystemdAndIgnoresHostAndPort) {
  // 192.0.2.1 (TEST-NET-1) is no address of this machine: binding it would fail.
  auto server = activate("clock2", {"-host", "192.0.2.1", "-port", "1"});
  auto client = TcpClient::connect(server.port());
  EXPECT_TRUE(client.read_line(5s));
  const auto line = server.process.wait_for_stderr_line("listening on", 1s);
  EXPECT_EQ(line, systemd_listening_line("clock2", server.port()));
  expect_clean_stop(server.process);
}

TEST(SocketActivation, EveryServerServesTheSocketFromSystemd) {
  for (const std::string program : {"clock1", "clock2"}) {
    auto server = activate(program);
    auto client = TcpClient::connect(server.port());
    EXPECT_TRUE(is_time_of_day(client.read_line(5s))) << program << server.process.stderr_text();
    EXPECT_TRUE(
        server.process.wait_for_stderr_line(systemd_listening_line(program, server.port()), 1s));
    expect_clean_stop(server.process);
  }
  for (const std::string program : {"reverb1", "reverb2"}) {
    auto server = activate(program, {"-delay", "10ms"});
    auto client = TcpClient::connect(server.port());
    client.send("Hello?\n");
    EXPECT_EQ(read_lines(client, 3, 5s), echo_of("HELLO?", "Hello?", "hello?"))
        << program << server.process.stderr_text();
    EXPECT_TRUE(
        server.process.wait_for_stderr_line(systemd_listening_line(program, server.port()), 1s));
    expect_clean_stop(server.process);
  }
}

TEST(SocketActivation, ClockTwoServesSeveralClientsAtOnce) {
  auto server = activate("clock2");
  std::vector<TcpClient> clients;
  clients.push_back(TcpClient::connect(server.port()));
  ASSERT_TRUE(clients.front().read_line(5s)) << server.process.stderr_text();
  for (int i = 0; i < 7; ++i) clients.push_back(TcpClient::connect(server.port()));
  for (auto& client : clients) {
    // The same second for every client: all are served at once, none waits for another.
    EXPECT_TRUE(is_time_of_day(client.read_line(2s)));
  }
  expect_clean_stop(server.process);
}

TEST(SocketActivation, ReverbTwoEchoesTheClientWhoseConnectStartedIt) {
  for (int i = 0; i < 10; ++i) {
    auto server = activate("reverb2", {"-delay", "10ms"});
    auto first = TcpClient::connect(server.port());
    first.send("Is there anybody there?\n");
    EXPECT_EQ(
        read_lines(first, 3, 5s),
        echo_of("IS THERE ANYBODY THERE?", "Is there anybody there?", "is there anybody there?"))
        << server.process.stderr_text();
    expect_clean_stop(server.process);
  }
}

TEST(SocketActivation, ReverbTwoServesSeveralClientsAtOnce) {
  // With a delay of 1 s an echo takes 2 s: five that took turns would take 10 s.
  auto server = activate("reverb2", {"-delay", "1s"});
  std::vector<TcpClient> clients;
  for (int i = 0; i < 5; ++i) clients.push_back(TcpClient::connect(server.port()));
  const auto deadline = std::chrono::steady_clock::now() + 3500ms;
  for (int i = 0; i < 5; ++i) clients[i].send("Client " + std::to_string(i) + "\n");
  for (int i = 0; i < 5; ++i) {
    const auto n = std::to_string(i);
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    EXPECT_EQ(read_lines(clients[i], 3, std::max(left, 0ms)),
              echo_of("CLIENT " + n, "Client " + n, "client " + n))
        << server.process.stderr_text();
  }
  expect_clean_stop(server.process);
}

TEST(SocketActivation, ChatGreetsTheClientWhoseConnectStartedItAndTheOthers) {
  for (int i = 0; i < 5; ++i) {
    auto server = activate("chat");
    auto first = TcpClient::connect(server.port());
    const auto greeting = first.read_line(5s);
    ASSERT_TRUE(greeting && greeting->starts_with("You are 127.0.0.1:"))
        << server.process.stderr_text();
    auto second = TcpClient::connect(server.port());
    ASSERT_TRUE(second.read_line(2s));
    second.send("hi\n");
    const auto line = first.read_line(2s);
    ASSERT_TRUE(line && line->ends_with(" has arrived")) << line.value_or("(none)");
    EXPECT_EQ(first.read_line(2s), line->substr(0, line->size() - 12) + ": hi");
    EXPECT_TRUE(
        server.process.wait_for_stderr_line(systemd_listening_line("chat", server.port()), 1s));
    expect_clean_stop(server.process);
  }
}

TEST(SocketActivation, SigtermEndsItCleanlyAndClientsSeeEof) {
  for (const std::string program : {"clock2", "reverb2", "chat"}) {
    auto server = activate(program);
    std::vector<TcpClient> clients;
    for (int i = 0; i < 4; ++i) clients.push_back(TcpClient::connect(server.port()));
    ASSERT_TRUE(
        server.process.wait_for_stderr_line(systemd_listening_line(program, server.port()), 5s))
        << server.process.stderr_text();
    server.process.signal(SIGTERM);
    EXPECT_EQ(server.process.wait_exit(3s), 0) << server.process.stderr_text();
    for (auto& client : clients) EXPECT_TRUE(client.wait_eof(1s)) << program;
    expect_no_sanitizer_report(server.process);
  }
}

TEST(SocketActivation, ServesOnEveryEventLoopWithThreads) {
  for (const std::string program : {"clock2", "reverb2"}) {
    auto server = activate(program, {"-threads", "2"});
    std::vector<TcpClient> clients;
    for (int i = 0; i < 8; ++i) clients.push_back(TcpClient::connect(server.port()));
    ASSERT_TRUE(
        server.process.wait_for_stderr_line(systemd_listening_line(program, server.port()), 5s))
        << server.process.stderr_text();
    // Each loop accepts on a descriptor of its own for the one socket systemd passed.
    EXPECT_EQ(event_loops_watching_fd_3(server.process.pid()), 2) << program;
    for (auto& client : clients) {
      if (program == "clock2") {
        EXPECT_TRUE(is_time_of_day(client.read_line(2s)));
      } else {
        client.send("hi\n");
        EXPECT_EQ(read_lines(client, 1, 2s), std::vector<std::string>{"\t HI"});
      }
    }
    expect_clean_stop(server.process);
  }
}

TEST(SocketActivation, RefusesADatagramSocket) {
  auto server = activate("clock2", {}, 1, {"--datagram"});
  send_datagram(server.port());
  expect_one_line_error(server.process, "clock2",
                        "clock2: socket from systemd: fd 3 is a UDP socket, not a listening TCP "
                        "socket");
}

TEST(SocketActivation, RefusesAUnixSocket) {
  const std::string path =
      ::testing::TempDir() + "socket_activation_" + std::to_string(::getpid()) + ".sock";
  std::filesystem::remove(path);
  std::vector<std::string> argv{"systemd-socket-activate", "-l", path, testsupport::bin("reverb2")};
  auto server = ChildProcess::start(argv, activation_environment());
  ASSERT_TRUE(server.wait_for_stderr_line("Listening on " + path, 5s)) << server.stderr_text();
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un to{};
  to.sun_family = AF_UNIX;
  path.copy(to.sun_path, sizeof to.sun_path - 1);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
  expect_one_line_error(server, "reverb2",
                        "reverb2: socket from systemd: fd 3 is a UNIX stream socket, not a "
                        "listening TCP socket");
  ::close(fd);
  std::filesystem::remove(path);
}

TEST(SocketActivation, RefusesMoreThanOneSocket) {
  auto server = activate("clock2", {}, 2);
  // The connection starts it. It may be reset before the test sees it made: the server refuses
  // at once, and its exit closes the listening sockets with the connection still in the queue.
  const auto client = TcpClient::try_connect(server.ports[1]);
  expect_one_line_error(server.process, "clock2",
                        "clock2: socket from systemd: 2 sockets passed, but a server serves one: "
                        "give the .socket unit one ListenStream=");
}

TEST(SocketActivation, RefusesADescriptorThatIsNotASocket) {
  // The shell execs the server, so LISTEN_PID=$$ names it.
  auto server =
      ChildProcess::start({"sh", "-c", "LISTEN_PID=$$ LISTEN_FDS=1 exec \"$0\" 3</dev/null",
                           testsupport::bin("clock2")},
                          activation_environment());
  expect_one_line_error(server, "clock2", "clock2: socket from systemd: fd 3 is not a socket");
}

TEST(SocketActivation, RefusesMalformedVariables) {
  auto server = ChildProcess::start(
      {"sh", "-c", "LISTEN_PID=$$ LISTEN_FDS=one exec \"$0\"", testsupport::bin("reverb2")},
      activation_environment());
  expect_one_line_error(server, "reverb2",
                        "reverb2: socket from systemd: LISTEN_FDS=one: not a count of descriptors");
}

TEST(SocketActivation, IgnoresVariablesMeantForAnotherProcess) {
  // LISTEN_PID names a process that started us: its sockets are not ours, and fd 3 is not open.
  testsupport::ChildOptions options;
  options.env = {{"LISTEN_PID", "1"}, {"LISTEN_FDS", "1"}};
  auto server = start_server("clock2", {}, options);
  EXPECT_EQ(server.process.stderr_text(),
            "clock2: listening on 127.0.0.1:" + std::to_string(server.port) + "\n");
  auto client = TcpClient::connect(server.port);
  EXPECT_TRUE(is_time_of_day(client.read_line(2s)));
  expect_clean_stop(server.process);
}

// A program whose stderr is the stream JOURNAL_STREAM names, as systemd starts a service whose
// output goes to the journal: the shell names its own stderr, the test's pipe, and execs it.
ChildProcess start_under_journal(const std::string& program, std::vector<std::string> args) {
  args.insert(args.begin(),
              {"sh", "-c", "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec \"$0\" \"$@\"",
               testsupport::bin(program)});
  return ChildProcess::start(std::move(args), activation_environment());
}

TEST(Journal, StartsEachLineWithItsPriorityWhenStderrIsTheJournal) {
  auto server = start_under_journal("clock2", {"-port", "0", "-max-conns", "1"});
  const auto port = server.wait_for_listening();
  EXPECT_EQ(server.stderr_text(), "<6>listening on 127.0.0.1:" + std::to_string(port) + "\n");
  auto served = TcpClient::connect(port);
  ASSERT_TRUE(served.read_line(2s));
  auto refused = TcpClient::connect(port);
  EXPECT_TRUE(server.wait_for_stderr_line("<4>warning: connection limit 1 reached", 2s))
      << server.stderr_text();

  auto second = start_under_journal("clock2", {"-port", std::to_string(port)});
  EXPECT_EQ(second.wait_exit(5s), 1);
  EXPECT_EQ(second.stderr_text(),
            "<3>listen localhost:" + std::to_string(port) + ": address already in use\n");

  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(3s), 0);
  EXPECT_TRUE(server.wait_for_stderr_line("<6>SIGTERM: closing connections and exiting", 1s))
      << server.stderr_text();
  expect_no_sanitizer_report(server);
}

TEST(Journal, LogsPlainLinesWhenJournalStreamNamesAnotherStream) {
  // Inherited from a parent whose stderr was the journal; ours is a pipe.
  testsupport::ChildOptions options;
  options.env = {{"JOURNAL_STREAM", "8:12345"}};
  auto server = start_server("clock2", {}, options);
  EXPECT_EQ(server.process.stderr_text(),
            "clock2: listening on 127.0.0.1:" + std::to_string(server.port) + "\n");
  expect_clean_stop(server.process);
}

}  // namespace
}  // namespace e2e
