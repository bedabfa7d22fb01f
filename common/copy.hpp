#pragma once

#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/write.hpp>
#include <cstdint>
#include <memory>

#include "common/awaitable.hpp"
#include "common/failure.hpp"

namespace gonet {

// The book's mustCopy(dst, src): copies until `from` reaches EOF and returns the byte count;
// a read or write error throws Failure, which ends the program with status 1.
template <class Sink, class Source>
asio::awaitable<std::uint64_t> must_copy(Sink& to, Source& from) {
  constexpr std::size_t kChunk = 64 * 1024;
  const auto buffer = std::make_unique<char[]>(kChunk);
  std::uint64_t total = 0;
  for (;;) {
    auto [read_error, n] =
        co_await from.async_read_some(asio::buffer(buffer.get(), kChunk), use_nothrow);
    if (n > 0) {
      auto [write_error, written] =
          co_await asio::async_write(to, asio::buffer(buffer.get(), n), use_nothrow);
      if (write_error) throw Failure("write", write_error);
      total += written;
    }
    if (read_error == asio::error::eof) co_return total;
    if (read_error) throw Failure("read", read_error);
  }
}

}  // namespace gonet
