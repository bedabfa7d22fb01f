#include "common/net/socket_activation.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>

#include <gtest/gtest.h>

#include "common/net/failure.hpp"

namespace gonet {
namespace {

// A descriptor closed when the test ends.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Fd loopback_socket(int family, int type, bool listening) {
  Fd fd(::socket(family, type | SOCK_CLOEXEC, 0));
  if (family == AF_INET6) {
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
  } else {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
  }
  if (listening) ::listen(fd.get(), 1);
  return fd;
}

using Variable = std::optional<std::string>;

TEST(ListenFds, CountsTheSocketsPassedToThisProcess) {
  EXPECT_EQ(count_passed_sockets("42", "1", 42), 1);
  EXPECT_EQ(count_passed_sockets("42", "3", 42), 3);
}

TEST(ListenFds, CountsNoneWithoutVariablesOrWhenTheyAreForAnotherProcess) {
  EXPECT_EQ(count_passed_sockets(std::nullopt, std::nullopt, 42), 0);
  EXPECT_EQ(count_passed_sockets(std::nullopt, "1", 42), 0);
  EXPECT_EQ(count_passed_sockets("42", std::nullopt, 42), 0);
  // A parent's variables, inherited by mistake: not ours, whatever LISTEN_FDS says.
  EXPECT_EQ(count_passed_sockets("41", "1", 42), 0);
  EXPECT_EQ(count_passed_sockets("41", "many", 42), 0);
}

TEST(ListenFds, RejectsMalformedVariables) {
  for (const char* pid : {"", "abc", "-42", "+42", " 42", "42 ", "0", "42x"}) {
    EXPECT_THROW(count_passed_sockets(Variable(pid), "1", 42), Failure) << '"' << pid << '"';
  }
  for (const char* fds : {"", "abc", "0", "-1", "+1", "1x", " 1", "99999999999999999999"}) {
    EXPECT_THROW(count_passed_sockets("42", Variable(fds), 42), Failure) << '"' << fds << '"';
  }
  try {
    count_passed_sockets("42", "one", 42);
    FAIL();
  } catch (const Failure& failure) {
    EXPECT_STREQ(failure.what(), "socket from systemd: LISTEN_FDS=one: not a count of descriptors");
  }
}

TEST(ListenFds, TakesAListeningTcpSocketOfEitherFamily) {
  const Fd v4 = loopback_socket(AF_INET, SOCK_STREAM, true);
  EXPECT_EQ(not_a_listening_tcp_socket(v4.get()), std::nullopt);
  const Fd v6 = loopback_socket(AF_INET6, SOCK_STREAM, true);
  EXPECT_EQ(not_a_listening_tcp_socket(v6.get()), std::nullopt);
}

TEST(ListenFds, SaysWhatADescriptorIsWhenItIsNoListeningTcpSocket) {
  const auto why = [](const Fd& fd) {
    auto text = not_a_listening_tcp_socket(fd.get()).value_or("(taken)");
    return text.substr(text.find(' ', 3));  // without "fd N"
  };
  EXPECT_EQ(why(loopback_socket(AF_INET, SOCK_STREAM, false)),
            " is a TCP socket that is not listening");
  EXPECT_EQ(why(loopback_socket(AF_INET, SOCK_DGRAM, false)),
            " is a UDP socket, not a listening TCP socket");
  EXPECT_EQ(why(loopback_socket(AF_INET6, SOCK_STREAM, false)),
            " is a TCP socket that is not listening");
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
  const Fd unix_end(pair[0]), other_end(pair[1]);
  EXPECT_EQ(why(unix_end), " is a UNIX seqpacket socket, not a listening TCP socket");
  const Fd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(why(null), " is not a socket");
  EXPECT_EQ(not_a_listening_tcp_socket(12345), "fd 12345: bad file descriptor");
}

}  // namespace
}  // namespace gonet
