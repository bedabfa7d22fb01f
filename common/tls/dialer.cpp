#include "common/tls/dialer.hpp"

#include "common/net/dial.hpp"

namespace gonet {

Dialer::Dialer(const TlsOptions& tls) {
  if (tls.enabled) tls_.emplace(tls);
}

asio::awaitable<Conn> Dialer::dial(const Endpoint& server) {
  auto socket = co_await gonet::dial(server);
  if (!tls_) co_return Conn(std::move(socket));
  co_return Conn(co_await tls_->handshake(std::move(socket), server));
}

asio::awaitable<Conn> dial(Endpoint server, TlsOptions tls) {
  Dialer dialer(tls);
  co_return co_await dialer.dial(server);
}

}  // namespace gonet
