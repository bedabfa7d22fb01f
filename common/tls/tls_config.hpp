#pragma once

#include <memory>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>

#include "common/text/address.hpp"
#include "common/tls/tls_options.hpp"

namespace gonet {

using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

// Go's tls.Config for a client: TLS 1.2 or 1.3, whom to trust, what to present. Made once, before
// any connection, so that a file that cannot be read fails the program at its start and the
// system's CAs are read once for all of clockwall's redials.
class TlsConfig {
 public:
  // Throws Failure: "load -tls-ca ca.pem: no such file or directory". With -tls-insecure, logs
  // its one warning.
  explicit TlsConfig(const TlsOptions& options);

  // Go's tls.Client(conn, config).Handshake(), the server's certificate checked against the CAs
  // and the name (SNI set to it, unless it is an address). Throws Failure, one line with
  // OpenSSL's reason: "tls handshake with localhost:8443: certificate verify failed
  // (self-signed certificate)".
  asio::awaitable<TlsStream> handshake(asio::ip::tcp::socket socket, const Endpoint& server);

 private:
  TlsOptions options_;
  asio::ssl::context context_;
};

// Go's tls.Conn.CloseWrite: TLS's close_notify, then TCP's FIN, while replies may still come.
// Only when no write is in flight on `tls`; a read may be. As for TCP's shutdown, a failure is
// the reader's to meet and report, not this.
asio::awaitable<void> close_write(TlsStream& tls);

}  // namespace gonet
