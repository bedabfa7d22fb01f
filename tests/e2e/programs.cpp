#include "tests/e2e/programs.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <sstream>
#include <vector>

namespace e2e {

std::uint16_t unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

bool has_ipv6_loopback() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = in6addr_loopback;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return bound;
}

namespace {

// `conns` connections to `port` each send `bytes` without a newline, then all close.
bool send_partial_lines_then_close(std::uint16_t port, int conns, std::size_t bytes) {
  std::vector<int> sockets;
  const std::string line(bytes, 'x');
  bool sent = true;
  for (int i = 0; i < conns && sent; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(port);
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // Each from a loopback address of its own, as newcomers from many hosts: chat's -rate
    // belongs to an address, and would take their last lines one by one.
    sockaddr_in source{};
    source.sin_family = AF_INET;
    source.sin_addr.s_addr = htonl(0x7f020001 + static_cast<std::uint32_t>(i));
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0 ||
        ::connect(fd, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) {
      std::cerr << "connection " << i << ": " << std::strerror(errno) << "\n";
      sent = false;
    }
    if (fd >= 0) sockets.push_back(fd);
  }
  for (std::size_t i = 0; i < sockets.size() && sent; ++i) {
    std::string_view rest = line;
    while (!rest.empty()) {
      const ssize_t n = ::send(sockets[i], rest.data(), rest.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        std::cerr << "send on connection " << i << ": " << std::strerror(errno) << "\n";
        sent = false;
        break;
      }
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
  }
  for (const int fd : sockets) ::close(fd);
  return sent;
}

// Whether a server run with -log-level debug has logged the end of `connections` connections.
bool logged_closes(ChildProcess& server, std::size_t connections) {
  const std::string log = server.stderr_text();
  std::size_t closes = 0;
  for (auto at = log.find(": close "); at != std::string::npos; at = log.find(": close ", at + 1)) {
    ++closes;
  }
  return closes >= connections;
}

}  // namespace

void expect_memory_given_back_after_partial_lines(Server& server, std::size_t earlier) {
  constexpr int kConnections = 3000;
  constexpr long kBoundKib = 32 * 1024;
  const long before = resident_kib(server.process.pid());
  ASSERT_GT(before, 0);
  ASSERT_TRUE(send_partial_lines_then_close(server.port, kConnections, 64 * 1024));
  // From the server's last close on, it has 3 s.
  ASSERT_TRUE(
      eventually([&] { return logged_closes(server.process, earlier + kConnections); }, 30s))
      << "the server did not end every connection";
  long after = 0;
  const bool given_back = eventually(
      [&] {
        after = resident_kib(server.process.pid());
        return after - before < kBoundKib;
      },
      3s);
  if (!kSanitized) {  // ASan's allocator keeps what it freed
    EXPECT_TRUE(given_back) << "VmRSS " << before << " KiB before, " << after
                            << " KiB 3 s after the last close";
  }
}

long resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string field;
  while (status >> field) {
    if (field == "VmRSS:") {
      long kib = -1;
      status >> kib;
      return kib;
    }
    status.ignore(4096, '\n');
  }
  return -1;
}

long open_descriptors(pid_t pid) {
  std::error_code ec;
  long count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++count;
  }
  return ec ? -1 : count;
}

long context_switches(pid_t pid) {
  std::error_code ec;
  long switches = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::ifstream status(it->path() / "status");
    std::string field;
    while (status >> field) {
      if (field == "voluntary_ctxt_switches:" || field == "nonvoluntary_ctxt_switches:") {
        long n = 0;
        if (!(status >> n)) return -1;
        switches += n;
      }
      status.ignore(4096, '\n');
    }
  }
  return ec || switches == 0 ? -1 : switches;
}

std::string echo_text(const std::string& upper, const std::string& line, const std::string& lower) {
  return "\t " + upper + "\n\t " + line + "\n\t " + lower + "\n";
}

std::chrono::milliseconds cpu_time(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields 14 and 15, utime and stime, counted after the ")" that ends the command name.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  long ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::stol(field);
  }
  if (!fields) return std::chrono::milliseconds(-1);
  return std::chrono::milliseconds(ticks * 1000 / ::sysconf(_SC_CLK_TCK));
}

Flooder::Flooder(std::uint16_t port, std::string pattern, std::chrono::milliseconds limit)
    : thread_([this, port, pattern = std::move(pattern), limit](std::stop_token stop) {
        auto client = TcpClient::connect(port);
        const auto deadline = std::chrono::steady_clock::now() + limit;
        std::size_t offset = 0;
        while (!stop.stop_requested() && std::chrono::steady_clock::now() < deadline) {
          const std::size_t n = client.send_some(std::string_view(pattern).substr(offset), 100ms);
          if (n == 0 && (client.eof() || client.was_reset())) break;
          sent_ += n;
          offset = (offset + n) % pattern.size();
        }
      }) {}

std::vector<std::string> read_lines(TcpClient& client, std::size_t n,
                                    std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<std::string> lines;
  while (lines.size() < n) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto line = client.read_line(std::max(left, 0ms));
    if (!line) break;
    lines.push_back(std::move(*line));
  }
  return lines;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  if (start < text.size()) lines.push_back(text.substr(start));  // a torn last line shows too
  return lines;
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 generator(seed);
  std::string bytes(n, '\0');
  for (char& byte : bytes) byte = static_cast<char>(generator());
  return bytes;
}

std::string utc(std::chrono::system_clock::time_point at, const char* format) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[128];
  return std::string(text, std::strftime(text, sizeof text, format, &tm));
}

void expect_no_sanitizer_report_but_vptr_probes(ChildProcess& child) {
  std::istringstream err(child.stderr_text());
  for (std::string line; std::getline(err, line);) {
    EXPECT_EQ(line.find("Sanitizer"), std::string::npos) << line;
    if (line.find("runtime error:") != std::string::npos) {
      EXPECT_NE(line.find("which does not point to an object of type"), std::string::npos) << line;
    }
  }
}

}  // namespace e2e
