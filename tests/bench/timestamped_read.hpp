// A non-blocking read that also says when the kernel received the bytes (SO_TIMESTAMPNS), so
// that a load generator's own scheduling never counts as the server's lateness.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstring>

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

}  // namespace bench
