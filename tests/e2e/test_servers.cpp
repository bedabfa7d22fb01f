#include "tests/e2e/test_servers.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace e2e {

OneClientServer::OneClientServer(std::function<void(int)> serve, int clients) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::listen(listener_, 4) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::system_error(errno, std::generic_category(), "test server");
  }
  port_ = ntohs(address.sin_port);
  thread_ = std::thread([this, clients, serve = std::move(serve)] { run(serve, clients); });
}

OneClientServer::~OneClientServer() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);  // wakes a waiting poll
  if (const int client = client_; client >= 0) ::shutdown(client, SHUT_RDWR);
  thread_.join();
  ::close(listener_);
}

bool OneClientServer::wait_done(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return done_changed_.wait_for(lock, timeout, [&] { return done_; });
}

void OneClientServer::run(const std::function<void(int)>& serve, int clients) {
  for (int turn = 0; turn < clients && !stopping_; ++turn) {
    pollfd ready{listener_, POLLIN, 0};
    if (::poll(&ready, 1, 10000) != 1 || stopping_) break;
    const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) break;
    client_ = client;
    ++accepted_;
    if (!stopping_) {
      timeval ten_seconds{10, 0};
      ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &ten_seconds, sizeof ten_seconds);
      ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &ten_seconds, sizeof ten_seconds);
      serve(client);
    }
    client_ = -1;
    ::close(client);
  }
  std::lock_guard lock(mutex_);
  done_ = true;
  done_changed_.notify_all();
}

bool read_to_eof(int fd, std::string& into) {
  char chunk[65536];
  for (;;) {
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n == 0) return true;
    if (n < 0 && errno != EINTR) return false;
    if (n > 0) into.append(chunk, static_cast<std::size_t>(n));
  }
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno != EINTR) return false;
    if (n > 0) data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

TempFile::TempFile(const std::string& content) {
  char name[] = "/tmp/netcat_test_XXXXXX";
  const int fd = ::mkstemp(name);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "mkstemp");
  path_ = name;
  std::string_view left = content;
  while (!left.empty()) {
    const ssize_t n = ::write(fd, left.data(), left.size());
    if (n <= 0) throw std::system_error(errno, std::generic_category(), "write " + path_);
    left.remove_prefix(static_cast<std::size_t>(n));
  }
  ::close(fd);
}

TempFile::~TempFile() { ::unlink(path_.c_str()); }

}  // namespace e2e
