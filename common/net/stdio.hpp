#pragma once

#include <array>

#include <asio/any_io_executor.hpp>
#include <asio/posix/stream_descriptor.hpp>

namespace gonet {

// Makes stdin, stdout and stderr safe to use as asynchronous streams for the life of a client.
// - A closed one (prog <&-) is filled with /dev/null first, so that no descriptor the program
//   opens later (the event loop's own epoll) takes its number; stdin then reads as empty and
//   writing stdout fails.
// - Asio puts a stream into non-blocking mode, and that flag lives on the open file description
//   the shell shares: a pipe would stay non-blocking after we exit. The flags are saved here and
//   put back by restore() or the destructor. (A terminal is opened anew instead, see below.)
class StdioGuard {
 public:
  StdioGuard();
  ~StdioGuard() { restore(); }
  StdioGuard(const StdioGuard&) = delete;
  StdioGuard& operator=(const StdioGuard&) = delete;
  void restore();

 private:
  std::array<int, 3> flags_{-1, -1, -1};
};

// Standard output as an asynchronous stream (a duplicate of fd 1, which stays open; a terminal is
// opened anew, so that it never turns non-blocking under the shell or our own stderr). Works for
// a terminal, a pipe, a regular file and /dev/null. Throws Failure if stdout cannot be used.
asio::posix::stream_descriptor standard_output(const asio::any_io_executor& executor);

// Standard input likewise.
asio::posix::stream_descriptor standard_input(const asio::any_io_executor& executor);

}  // namespace gonet
