#pragma once

#include <optional>

#include <asio/awaitable.hpp>

#include "common/text/address.hpp"
#include "common/tls/conn.hpp"
#include "common/tls/tls_config.hpp"
#include "common/tls/tls_options.hpp"

namespace gonet {

// Go's net.Dial, or tls.Dial when the options ask for TLS: its configuration (CA files, the
// client's certificate) is loaded when the Dialer is made, once for every dial. Throws Failure.
class Dialer {
 public:
  explicit Dialer(const TlsOptions& tls);

  asio::awaitable<Conn> dial(const Endpoint& server);

 private:
  std::optional<TlsConfig> tls_;
};

// One dial: the netcats'.
asio::awaitable<Conn> dial(Endpoint server, TlsOptions tls);

}  // namespace gonet
