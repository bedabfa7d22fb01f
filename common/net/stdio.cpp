#include "common/net/stdio.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "common/net/failure.hpp"

namespace gonet {
namespace {

asio::posix::stream_descriptor duplicate(const asio::any_io_executor& executor, int fd,
                                         const char* name) {
  int copy = -1;
  if (::isatty(fd) == 1) {
    // A terminal opened anew is a description of our own, so the O_NONBLOCK Asio sets on it
    // stays off the one the shell and our stderr share.
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    copy = ::open(path.c_str(), (fd == STDIN_FILENO ? O_RDONLY : O_WRONLY) | O_NOCTTY | O_CLOEXEC);
  }
  if (copy < 0) copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (copy < 0) throw Failure(name, std::error_code(errno, std::generic_category()));
  return asio::posix::stream_descriptor(executor, copy);
}

}  // namespace

StdioGuard::StdioGuard() {
  for (int fd = 0; fd < 3; ++fd) {
    if (::fcntl(fd, F_GETFD) < 0) {
      // open() returns the lowest free number, which is this one. Read-only, so that writing a
      // closed stdout is an error rather than silently lost data.
      ::open("/dev/null", O_RDONLY);
    }
    flags_[fd] = ::fcntl(fd, F_GETFL);
  }
}

void StdioGuard::restore() {
  for (int fd = 0; fd < 3; ++fd) {
    if (flags_[fd] >= 0) ::fcntl(fd, F_SETFL, flags_[fd]);
  }
}

asio::posix::stream_descriptor standard_output(const asio::any_io_executor& executor) {
  return duplicate(executor, STDOUT_FILENO, "stdout");
}

asio::posix::stream_descriptor standard_input(const asio::any_io_executor& executor) {
  return duplicate(executor, STDIN_FILENO, "stdin");
}

}  // namespace gonet
