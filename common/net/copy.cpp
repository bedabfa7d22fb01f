#include "common/net/copy.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>

#include <cerrno>
#include <system_error>

#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

namespace gonet {
namespace {

using asio::ip::tcp;
using Stream = asio::posix::stream_descriptor;

// What one splice() may move, and the pipe buffer that lets it: 16 times Linux's default.
constexpr std::size_t kPipeSize = 1 << 20;
// Splices in a row before the other coroutines get a turn (netcat2 copies both ways at once).
constexpr int kSplicesPerTurn = 16;

bool is_pipe(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

bool readable_now(int fd) {
  pollfd poll_fd{fd, POLLIN, 0};
  return ::poll(&poll_fd, 1, 0) == 1;
}

// Which side an errno of splice() belongs to, in must_copy's words: only the socket can be
// reset, and only the pipe's reader can be gone.
using Side = const char* (*)(int error);

// Moves everything from `from` to `to` with splice() until `from` ends. Both must be in
// non-blocking mode, and one of them a pipe.
template <class Sink, class Source>
asio::awaitable<void> splice_all(Sink& to, Source& from, Side side) {
  const int in = from.native_handle();
  const int out = to.native_handle();
  for (int turn = 0;; ++turn) {
    const ssize_t n =
        ::splice(in, nullptr, out, nullptr, kPipeSize, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n == 0) co_return;
    if (n > 0) {
      if (turn % kSplicesPerTurn == kSplicesPerTurn - 1) {
        co_await asio::post(to.get_executor(), asio::use_awaitable);
      }
      continue;
    }
    const int error = errno;
    if (error == EINTR) continue;
    if (error != EAGAIN) throw Failure(side(error), std::error_code(error, std::system_category()));
    // Either nothing to read or no room to write: wait for the one that is not ready.
    if (!readable_now(in)) {
      auto [ec] = co_await from.async_wait(Source::wait_read, use_nothrow);
      if (ec) throw Failure("read", ec);
    } else {
      auto [ec] = co_await to.async_wait(Sink::wait_write, use_nothrow);
      if (ec) throw Failure("write", ec);
    }
  }
}

const char* socket_to_pipe(int error) { return error == EPIPE ? "write" : "read"; }

const char* pipe_to_socket(int error) {
  return error == EPIPE || error == ECONNRESET || error == ENOTCONN ? "write" : "read";
}

// splice() blocks on a side in blocking mode, whatever its flags say.
template <class A, class B>
bool make_non_blocking(A& a, B& b) {
  std::error_code ec;
  a.non_blocking(true, ec);
  if (!ec) b.non_blocking(true, ec);
  return !ec;
}

}  // namespace

bool grow_if_pipe(Stream& stream) {
  if (!is_pipe(stream.native_handle())) return false;
  ::fcntl(stream.native_handle(), F_SETPIPE_SZ, static_cast<int>(kPipeSize));
  return true;
}

asio::awaitable<void> must_copy(Stream& to, tcp::socket& from) {
  if (is_pipe(to.native_handle()) && make_non_blocking(to, from)) {
    grow_if_pipe(to);
    co_await splice_all(to, from, socket_to_pipe);
  } else {
    co_await must_copy<Stream, tcp::socket>(to, from);
  }
}

asio::awaitable<void> must_copy(tcp::socket& to, Stream& from) {
  if (is_pipe(from.native_handle()) && make_non_blocking(to, from)) {
    grow_if_pipe(from);
    co_await splice_all(to, from, pipe_to_socket);
  } else {
    co_await must_copy<tcp::socket, Stream>(to, from);
  }
}

}  // namespace gonet
