#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "common/net/accept_rate.hpp"
#include "common/net/connection.hpp"
#include "common/net/log.hpp"
#include "common/text/address.hpp"

namespace gonet {

// Behind a proxy: the connections whose PROXY header is being read, and those read.
struct HeaderReading;

// A listening socket that hands out connections and absorbs what goes wrong while accepting.
class Listener {
 public:
  // With `proxy_protocol`, every connection begins with a PROXY protocol header (behind HAProxy):
  // the client's address in it is the connection's peer, for the limits, the logs and the
  // session, which sees none of the header. With `rate`, connections are taken from the kernel's
  // listen queue no faster than it allows.
  Listener(asio::ip::tcp::acceptor acceptor, ConnectionLimit& limit, bool proxy_protocol = false,
           AcceptRate* rate = nullptr);

  // The next client, its socket in non-blocking mode, as every session writes to it. A client over
  // -max-conns or -max-conns-per-host is closed at once; running out of descriptors pauses
  // accepting briefly rather than spinning on EMFILE; neither ends the loop. Behind a proxy, a
  // connection whose header is missing, broken or not whole within 5 s is closed without a byte,
  // while the others are served.
  asio::awaitable<Connection> accept();

  asio::any_io_executor get_executor() { return executor_; }

 private:
  std::optional<Connection> admit(asio::ip::tcp::socket socket,
                                  const asio::ip::tcp::endpoint& peer);

  asio::any_io_executor executor_;
  asio::ip::tcp::acceptor acceptor_;
  ConnectionLimit* limit_;
  AcceptRate* rate_;
  RateLimitedWarning over_limit_;
  RateLimitedWarning over_host_limit_;
  RateLimitedWarning out_of_descriptors_;
  std::shared_ptr<HeaderReading> headers_;
};

// Binds `where` once, and gives each event loop an acceptor on that one socket, so that each
// loop accepts on its own and a port has one owner. Throws Failure("listen HOST:PORT: why").
std::vector<asio::ip::tcp::acceptor> listen(std::deque<asio::io_context>& loops,
                                            const Endpoint& where);

}  // namespace gonet
