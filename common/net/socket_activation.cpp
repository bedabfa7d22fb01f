#include "common/net/socket_activation.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <system_error>

#include "common/net/failure.hpp"

namespace gonet {
namespace {

using asio::ip::tcp;

constexpr int kFirstPassedFd = 3;  // SD_LISTEN_FDS_START
constexpr const char* kPrefix = "socket from systemd: ";

std::error_code last_error() { return {errno, std::system_category()}; }

std::optional<long long> decimal(const std::string& text) {
  long long value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || stop != end || text.front() == '-') return std::nullopt;
  return value;
}

std::optional<std::string> take_variable(const char* name) {
  std::optional<std::string> value;
  if (const char* text = std::getenv(name)) value = text;
  ::unsetenv(name);
  return value;
}

std::string type_name(int type) {
  switch (type) {
    case SOCK_STREAM:
      return "stream";
    case SOCK_DGRAM:
      return "datagram";
    case SOCK_SEQPACKET:
      return "seqpacket";
    case SOCK_RAW:
      return "raw";
    default:
      return "type " + std::to_string(type);
  }
}

// "TCP", "UDP", "UNIX stream", "IPv6 raw": what a socket is, in the words ss(8) and users use.
std::string kind_of_socket(int domain, int type, int protocol) {
  const bool ip = domain == AF_INET || domain == AF_INET6;
  if (ip && type == SOCK_STREAM && protocol == IPPROTO_TCP) return "TCP";
  if (ip && type == SOCK_DGRAM && protocol == IPPROTO_UDP) return "UDP";
  if (domain == AF_INET) return "IPv4 " + type_name(type);
  if (domain == AF_INET6) return "IPv6 " + type_name(type);
  if (domain == AF_UNIX) return "UNIX " + type_name(type);
  return "family " + std::to_string(domain) + " " + type_name(type);
}

std::optional<int> socket_option(int fd, int option) {
  int value = 0;
  socklen_t length = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, option, &value, &length) != 0) return std::nullopt;
  return value;
}

// A descriptor of its own for each loop but the first, so that each acceptor closes its own.
tcp::acceptor acceptor_on(asio::io_context& loop, const tcp& protocol, int fd, bool first) {
  const int own = first ? fd : ::fcntl(fd, F_DUPFD_CLOEXEC, kFirstPassedFd);
  if (own < 0) throw Failure(kPrefix + ("dup fd " + std::to_string(fd)), last_error());
  tcp::acceptor acceptor(loop);
  std::error_code ec;
  acceptor.assign(protocol, own, ec);
  if (ec) {
    ::close(own);
    throw Failure(kPrefix + ("fd " + std::to_string(fd)), ec);
  }
  // As listen() does for its own sockets: the accepted ones inherit it.
  acceptor.set_option(tcp::no_delay(true), ec);
  return acceptor;
}

}  // namespace

int count_passed_sockets(const std::optional<std::string>& listen_pid,
                         const std::optional<std::string>& listen_fds, pid_t self) {
  if (!listen_pid) return 0;
  const auto pid = decimal(*listen_pid);
  if (!pid || *pid <= 0) throw Failure(kPrefix + ("LISTEN_PID=" + *listen_pid) + ": not a pid");
  if (*pid != self) return 0;  // meant for a process that started us, not for us
  if (!listen_fds) return 0;
  const auto count = decimal(*listen_fds);
  if (!count || *count <= 0 || *count > INT_MAX - kFirstPassedFd) {
    throw Failure(kPrefix + ("LISTEN_FDS=" + *listen_fds) + ": not a count of descriptors");
  }
  return static_cast<int>(*count);
}

std::optional<std::string> not_a_listening_tcp_socket(int fd) {
  const std::string name = "fd " + std::to_string(fd);
  const auto type = socket_option(fd, SO_TYPE);
  if (!type && errno == ENOTSOCK) return name + " is not a socket";
  const auto domain = socket_option(fd, SO_DOMAIN);
  const auto protocol = socket_option(fd, SO_PROTOCOL);
  const auto listening = socket_option(fd, SO_ACCEPTCONN);
  if (!type || !domain || !protocol || !listening) return name + ": " + describe(last_error());
  const auto kind = kind_of_socket(*domain, *type, *protocol);
  if (kind == "TCP") {
    if (*listening) return std::nullopt;
    return name + " is a TCP socket that is not listening";
  }
  const char* article = kind.starts_with("IP") ? "an " : "a ";
  return name + " is " + article + kind + " socket, not a listening TCP socket";
}

std::vector<tcp::acceptor> acceptors_from_systemd(std::deque<asio::io_context>& loops) {
  const auto listen_pid = take_variable("LISTEN_PID");
  const auto listen_fds = take_variable("LISTEN_FDS");
  take_variable("LISTEN_FDNAMES");
  const int count = count_passed_sockets(listen_pid, listen_fds, ::getpid());
  for (int fd = kFirstPassedFd; fd < kFirstPassedFd + count; ++fd) {
    if (::fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
      throw Failure(kPrefix + ("fd " + std::to_string(fd)), last_error());
    }
  }
  if (count == 0) return {};
  // Serving several would take one accept loop per socket, and clock1 serves one client at a time
  // whatever it listens on; one ListenStream= (e.g. [::]:8000 for IPv4 and IPv6) is enough.
  if (count > 1) {
    throw Failure(kPrefix + std::to_string(count) +
                  " sockets passed, but a server serves one: give the .socket unit one "
                  "ListenStream=");
  }
  if (auto why = not_a_listening_tcp_socket(kFirstPassedFd)) throw Failure(kPrefix + *why);
  const tcp protocol = socket_option(kFirstPassedFd, SO_DOMAIN) == AF_INET6 ? tcp::v6() : tcp::v4();
  std::vector<tcp::acceptor> acceptors;
  for (asio::io_context& loop : loops) {
    acceptors.push_back(acceptor_on(loop, protocol, kFirstPassedFd, acceptors.empty()));
  }
  return acceptors;
}

}  // namespace gonet
