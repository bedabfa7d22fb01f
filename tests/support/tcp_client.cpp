#include "tests/support/tcp_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "tests/support/poll_deadline.hpp"

namespace testsupport {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kConnectTimeout{5000};

bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int ready = ::poll(&p, 1, poll_timeout_ms(deadline));
    if (ready > 0) return true;
    if (ready == 0 || errno != EINTR) return false;
  }
}

std::size_t send_until(int fd, std::string_view data, Clock::time_point deadline, int& error) {
  std::size_t sent = 0;
  error = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else if (errno != EAGAIN && errno != EINTR) {
      error = errno;
      break;
    } else if (errno == EAGAIN && !wait_for(fd, POLLOUT, deadline)) {
      error = ETIMEDOUT;
      break;
    }
  }
  return sent;
}

std::string ms_text(milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

}  // namespace

int TcpClient::open_connection(std::uint16_t port, const std::string& host, int rcvbuf,
                               const std::string& source, std::uint16_t source_port) {
  std::string name = host == "localhost" ? "127.0.0.1" : host;
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  const sockaddr* addr;
  socklen_t len;
  if (::inet_pton(AF_INET, name.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    addr = reinterpret_cast<const sockaddr*>(&v4);
    len = sizeof v4;
  } else if (::inet_pton(AF_INET6, name.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    addr = reinterpret_cast<const sockaddr*>(&v6);
    len = sizeof v6;
  } else {
    throw std::invalid_argument("TcpClient: not a numeric address: " + host);
  }

  int fd = ::socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  // What a test sends in two calls should leave in two segments, when it is sent, not when the
  // server's delayed ACK lets Nagle go on.
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  // Before connect, because the window scale is agreed on in the handshake.
  if (rcvbuf > 0 && ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0) {
    int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
  if (!source.empty()) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source.c_str(), &from.sin_addr) != 1) {
      ::close(fd);
      throw std::invalid_argument("TcpClient: not a numeric IPv4 address: " + source);
    }
    if (source_port != 0) {
      from.sin_port = htons(source_port);
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    }
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&from), sizeof from) != 0) {
      int e = errno;
      ::close(fd);
      errno = e;
      return -1;
    }
  }
  int error = 0;
  if (::connect(fd, addr, len) != 0) {
    error = errno;
    if (error == EINPROGRESS) {
      socklen_t size = sizeof error;
      if (!wait_for(fd, POLLOUT, Clock::now() + kConnectTimeout)) {
        error = ETIMEDOUT;
      } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) {
        error = errno;
      }
    }
  }
  if (error != 0) {
    ::close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

TcpClient TcpClient::connect(std::uint16_t port, std::string host, int rcvbuf) {
  int fd = open_connection(port, host, rcvbuf);
  if (fd < 0) {
    throw std::system_error(errno, std::generic_category(),
                            "connect " + host + ":" + std::to_string(port));
  }
  return TcpClient(fd);
}

std::optional<TcpClient> TcpClient::try_connect(std::uint16_t port, std::string host, int rcvbuf) {
  int fd = open_connection(port, host, rcvbuf);
  if (fd < 0) return std::nullopt;
  return TcpClient(fd);
}

TcpClient TcpClient::connect_from(const std::string& source, std::uint16_t port, std::string host,
                                  std::uint16_t source_port) {
  int fd = open_connection(port, host, 0, source, source_port);
  if (fd < 0) {
    throw std::system_error(errno, std::generic_category(),
                            "connect " + host + ":" + std::to_string(port) + " from " + source);
  }
  return TcpClient(fd);
}

TcpClient::TcpClient(TcpClient&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      buf_(std::move(o.buf_)),
      consumed_(o.consumed_),
      received_(o.received_),
      arrivals_(std::move(o.arrivals_)),
      eof_(o.eof_),
      reset_(o.reset_) {}

TcpClient& TcpClient::operator=(TcpClient&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = std::exchange(o.fd_, -1);
    buf_ = std::move(o.buf_);
    consumed_ = o.consumed_;
    received_ = o.received_;
    arrivals_ = std::move(o.arrivals_);
    eof_ = o.eof_;
    reset_ = o.reset_;
  }
  return *this;
}

TcpClient::~TcpClient() { close(); }

// One read, when there is something to read before the deadline. False once the deadline has
// passed or the stream has ended.
bool TcpClient::receive(Clock::time_point deadline) {
  if (fd_ < 0) throw std::logic_error("TcpClient: read after close");
  if (eof_ || !wait_for(fd_, POLLIN, deadline)) return false;
  char chunk[65536];
  iovec io{chunk, sizeof chunk};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(fd_, &message, 0);
  if (n > 0) {
    buf_.append(chunk, static_cast<std::size_t>(n));
    received_ += static_cast<std::uint64_t>(n);
    // When the kernel received the bytes (SO_TIMESTAMPNS), so that the test's own scheduling
    // on a busy machine does not count as the server's lateness.
    auto at = std::chrono::system_clock::now();
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec stamp;
        std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
        at = std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::chrono::seconds(stamp.tv_sec) + std::chrono::nanoseconds(stamp.tv_nsec)));
      }
    }
    arrivals_.emplace_back(received_, at);
  } else if (n == 0) {
    eof_ = true;
  } else if (errno != EAGAIN && errno != EINTR) {
    eof_ = true;
    reset_ = errno == ECONNRESET;
  }
  return true;
}

std::string TcpClient::take(std::size_t n) {
  std::string bytes = buf_.substr(0, n);
  buf_.erase(0, n);
  consumed_ += n;
  while (!arrivals_.empty() && arrivals_.front().first <= consumed_) arrivals_.pop_front();
  return bytes;
}

std::optional<TcpClient::Line> TcpClient::read_timed_line(milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto end = buf_.find('\n'); end != std::string::npos) {
      std::uint64_t newline = consumed_ + end;
      auto arrival = std::find_if(arrivals_.begin(), arrivals_.end(),
                                  [&](const auto& a) { return a.first > newline; });
      const auto at = arrival->second;  // take() drops the arrivals it consumes
      Line line{take(end + 1), at};
      line.text.pop_back();
      return line;
    }
    if (!receive(deadline)) return std::nullopt;
  }
}

std::optional<std::string> TcpClient::read_line(milliseconds timeout) {
  if (auto line = read_timed_line(timeout)) return std::move(line->text);
  return std::nullopt;
}

std::string TcpClient::read_until_eof(milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (receive(deadline)) {
  }
  return take(buf_.size());
}

bool TcpClient::wait_eof(milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  do {
    take(buf_.size());
  } while (receive(deadline));
  return eof_;
}

std::string TcpClient::read_available() {
  // Bounded, for a server that writes faster than this loop reads.
  for (int i = 0; i < 64 && receive(Clock::now()); ++i) {
  }
  return take(buf_.size());
}

void TcpClient::send(std::string_view data, milliseconds timeout) {
  int error;
  std::size_t sent = send_until(fd_, data, Clock::now() + timeout, error);
  if (error == ETIMEDOUT) {
    throw std::runtime_error("TcpClient::send: the peer took " + std::to_string(sent) + " of " +
                             std::to_string(data.size()) + " bytes in " + ms_text(timeout));
  }
  if (error != 0) throw std::system_error(error, std::generic_category(), "TcpClient::send");
}

std::size_t TcpClient::send_some(std::string_view data, milliseconds timeout) {
  int error;
  const std::size_t sent = send_until(fd_, data, Clock::now() + timeout, error);
  if (error == ECONNRESET || error == EPIPE) reset_ = true;
  return sent;
}

void TcpClient::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

void TcpClient::close() {
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

void TcpClient::reset() {
  if (fd_ < 0) return;
  linger abort{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  close();
}

}  // namespace testsupport
