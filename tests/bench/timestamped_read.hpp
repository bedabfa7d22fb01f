// Reading lines with the time the kernel received them (SO_TIMESTAMPNS), so that a load
// generator's own scheduling never counts as the server's lateness.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "common/net/awaitable.hpp"

namespace bench {

inline void ask_for_receive_times(int fd) {
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
}

// As recv(fd, data, size, MSG_DONTWAIT); `at` is the kernel's receive time of the bytes, or now
// if the kernel gave none.
inline ssize_t timestamped_read(int fd, char* data, std::size_t size,
                                std::chrono::system_clock::time_point& at) {
  iovec part{data, size};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  msghdr message{};
  message.msg_iov = &part;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  const ssize_t n = ::recvmsg(fd, &message, MSG_DONTWAIT);
  at = std::chrono::system_clock::now();
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); n > 0 && c != nullptr; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec stamp;
      std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
      at = std::chrono::system_clock::time_point(
          std::chrono::duration_cast<std::chrono::system_clock::duration>(
              std::chrono::seconds(stamp.tv_sec) + std::chrono::nanoseconds(stamp.tv_nsec)));
    }
  }
  return n;
}

// Calls on_line(line, at) for each line `socket` receives (without its '\n'), `at` being when
// the kernel received the bytes that ended it, until the wait on the socket fails (it was closed
// or cancelled here: returns false) or the server ends the connection (returns true). Reads
// kChunk bytes at a time, in the coroutine's frame: small where a tool holds thousands of
// clients. Name the on_line lambda before co_await: g++ 12 miscompiles a lambda temporary there.
template <std::size_t kChunk, class OnLine>
asio::awaitable<bool> read_timed_lines(asio::ip::tcp::socket& socket, OnLine on_line) {
  std::string partial;
  char data[kChunk];
  for (;;) {
    auto [ec] = co_await socket.async_wait(asio::ip::tcp::socket::wait_read, gonet::use_nothrow);
    if (ec) co_return false;
    for (;;) {
      std::chrono::system_clock::time_point at;
      const ssize_t n = timestamped_read(socket.native_handle(), data, sizeof data, at);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
      if (n <= 0) co_return true;
      partial.append(data, static_cast<std::size_t>(n));
      std::size_t start = 0;
      for (auto end = partial.find('\n'); end != std::string::npos;
           start = end + 1, end = partial.find('\n', start)) {
        on_line(std::string_view(partial).substr(start, end - start), at);
      }
      partial.erase(0, start);
    }
  }
}

}  // namespace bench
