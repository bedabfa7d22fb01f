#pragma once

#include <cstddef>
#include <system_error>
#include <utility>
#include <variant>

#include <asio/awaitable.hpp>
#include <asio/compose.hpp>
#include <asio/error.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/ssl/error.hpp>

#include "common/tls/tls_config.hpp"

namespace gonet {

// Go's net.Conn for a client: a TCP connection, or TLS over one. A stream as Asio's algorithms
// and LineReader take it (async_read_some, async_write_some), so a program's code is the same
// for both.
class Conn {
 public:
  using executor_type = asio::ip::tcp::socket::executor_type;

  explicit Conn(asio::ip::tcp::socket socket) : stream_(std::move(socket)) {}
  explicit Conn(TlsStream tls) : stream_(std::move(tls)) {}

  executor_type get_executor() { return socket().get_executor(); }

  // The TCP connection, under TLS or not.
  asio::ip::tcp::socket& socket() {
    if (auto* tls = this->tls()) return tls->next_layer();
    return std::get<asio::ip::tcp::socket>(stream_);
  }
  TlsStream* tls() { return std::get_if<TlsStream>(&stream_); }

  // A server that ends TCP without TLS's close_notify has ended all the same, as for Go's
  // crypto/tls, ncat and socat: eof, not stream_truncated.
  template <class Buffers, class Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return asio::async_compose<Token, void(std::error_code, std::size_t)>(
        [this, buffers, started = false](auto& self, std::error_code ec = {},
                                         std::size_t n = 0) mutable {
          if (!std::exchange(started, true)) {
            if (auto* tls = this->tls()) {
              tls->async_read_some(buffers, std::move(self));
            } else {
              socket().async_read_some(buffers, std::move(self));
            }
            return;
          }
          if (ec == asio::ssl::error::stream_truncated) ec = asio::error::eof;
          self.complete(ec, n);
        },
        token, socket());
  }

  template <class Buffers, class Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return asio::async_compose<Token, void(std::error_code, std::size_t)>(
        [this, buffers, started = false](auto& self, std::error_code ec = {},
                                         std::size_t n = 0) mutable {
          if (!std::exchange(started, true)) {
            if (auto* tls = this->tls()) {
              tls->async_write_some(buffers, std::move(self));
            } else {
              socket().async_write_some(buffers, std::move(self));
            }
            return;
          }
          self.complete(ec, n);
        },
        token, socket());
  }

  // Whether a read would find bytes at once: decrypted ones in OpenSSL, or any on the socket.
  bool more_to_read();

  // Go's CloseWrite (exercise 8.3): the server reads EOF and may go on replying. Over TLS,
  // close_notify first. Only when no write is in flight.
  asio::awaitable<void> close_write();

 private:
  std::variant<asio::ip::tcp::socket, TlsStream> stream_;
};

// mustCopy between a Conn and stdin or stdout: TCP keeps copy.hpp's splice(); TLS, whose bytes
// must pass through OpenSSL, is a plain buffered copy.
asio::awaitable<void> must_copy(asio::posix::stream_descriptor& to, Conn& from);
asio::awaitable<void> must_copy(Conn& to, asio::posix::stream_descriptor& from);

}  // namespace gonet
