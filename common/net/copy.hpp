#pragma once

#include <memory>

#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/write.hpp>

#include "common/net/awaitable.hpp"
#include "common/net/failure.hpp"

namespace gonet {

// The book's mustCopy(dst, src): copies until `from` reaches EOF; a read or write error throws
// Failure, which ends the program with status 1. Plain reads and writes of 64 KiB, no per-byte
// work: what works for any pair of streams (a terminal, a regular file, /dev/null).
template <class Sink, class Source>
asio::awaitable<void> must_copy(Sink& to, Source& from) {
  constexpr std::size_t kChunk = 64 * 1024;
  const auto buffer = std::make_unique_for_overwrite<char[]>(kChunk);
  for (;;) {
    auto [read_error, n] =
        co_await from.async_read_some(asio::buffer(buffer.get(), kChunk), use_nothrow);
    if (n > 0) {
      auto [write_error, written] =
          co_await asio::async_write(to, asio::buffer(buffer.get(), n), use_nothrow);
      if (write_error) throw Failure("write", write_error);
    }
    if (read_error == asio::error::eof) co_return;
    if (read_error) throw Failure("read", read_error);
  }
}

// Where `stream` is a pipe, grows its buffer to 1 MiB (fewer turns between writer and reader) and
// says so.
bool grow_if_pipe(asio::posix::stream_descriptor& stream);

// The same between a socket and stdin or stdout: where the stream is a pipe, the bytes move with
// splice(), never through user space, and the pipe's buffer grows to 1 MiB; otherwise as above.
asio::awaitable<void> must_copy(asio::posix::stream_descriptor& to, asio::ip::tcp::socket& from);
asio::awaitable<void> must_copy(asio::ip::tcp::socket& to, asio::posix::stream_descriptor& from);

}  // namespace gonet
