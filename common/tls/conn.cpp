#include "common/tls/conn.hpp"

#include <memory>

#include <asio/buffer.hpp>
#include <asio/write.hpp>
#include <openssl/ssl.h>

#include "common/net/awaitable.hpp"
#include "common/net/copy.hpp"
#include "common/net/failure.hpp"

namespace gonet {

asio::awaitable<void> Conn::close_write() {
  if (auto* tls = this->tls()) {
    co_await gonet::close_write(*tls);
  } else {
    std::error_code ignored;
    socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }
}

namespace {

// TLS to stdout. OpenSSL hands over one record (16 KiB at most) a read; records already here are
// gathered up to 64 KiB before one write, so a download writes a quarter as often, while a record
// that comes alone (a line typed, a tick) is written at once.
asio::awaitable<void> copy_records(asio::posix::stream_descriptor& to, Conn& from) {
  constexpr std::size_t kChunk = 64 * 1024;
  constexpr std::size_t kRecord = 16 * 1024;
  const auto buffer = std::make_unique_for_overwrite<char[]>(kChunk);
  for (;;) {
    std::size_t filled = 0;
    std::error_code read_error;
    do {
      auto [ec, n] = co_await from.async_read_some(
          asio::buffer(buffer.get() + filled, kChunk - filled), use_nothrow);
      filled += n;
      read_error = ec;
    } while (!read_error && kChunk - filled >= kRecord && from.more_to_read());
    if (filled > 0) {
      auto [write_error, written] =
          co_await asio::async_write(to, asio::buffer(buffer.get(), filled), use_nothrow);
      if (write_error) throw Failure("write", write_error);
    }
    if (read_error == asio::error::eof) co_return;
    if (read_error) throw Failure("read", read_error);
  }
}

}  // namespace

bool Conn::more_to_read() {
  if (auto* tls = this->tls(); tls != nullptr && ::SSL_pending(tls->native_handle()) > 0) {
    return true;
  }
  std::error_code ec;
  return socket().available(ec) > 0 && !ec;
}

asio::awaitable<void> must_copy(asio::posix::stream_descriptor& to, Conn& from) {
  if (from.tls() != nullptr) {
    grow_if_pipe(to);
    co_await copy_records(to, from);
  } else {
    co_await must_copy(to, from.socket());
  }
}

asio::awaitable<void> must_copy(Conn& to, asio::posix::stream_descriptor& from) {
  if (to.tls() != nullptr) {
    grow_if_pipe(from);
    co_await must_copy<Conn, asio::posix::stream_descriptor>(to, from);
  } else {
    co_await must_copy(to.socket(), from);
  }
}

}  // namespace gonet
