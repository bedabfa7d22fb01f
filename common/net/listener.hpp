#pragma once

#include <deque>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "common/net/connection.hpp"
#include "common/net/log.hpp"
#include "common/text/address.hpp"

namespace gonet {

// A listening socket that hands out connections and absorbs what goes wrong while accepting.
class Listener {
 public:
  Listener(asio::ip::tcp::acceptor acceptor, ConnectionLimit& limit)
      : acceptor_(std::move(acceptor)), limit_(&limit) {}

  // The next client, its socket in non-blocking mode, as every session writes to it. A client over
  // -max-conns or -max-conns-per-host is closed at once; running out of descriptors pauses
  // accepting briefly rather than spinning on EMFILE; neither ends the loop.
  asio::awaitable<Connection> accept();

  asio::any_io_executor get_executor() { return acceptor_.get_executor(); }

 private:
  asio::ip::tcp::acceptor acceptor_;
  ConnectionLimit* limit_;
  RateLimitedWarning over_limit_;
  RateLimitedWarning over_host_limit_;
  RateLimitedWarning out_of_descriptors_;
};

// Binds `where` once per event loop (the same port for all, with SO_REUSEPORT when there is
// more than one), so each loop accepts on its own. Throws Failure("listen HOST:PORT: why").
std::vector<asio::ip::tcp::acceptor> listen(std::deque<asio::io_context>& loops,
                                            const Endpoint& where);

}  // namespace gonet
