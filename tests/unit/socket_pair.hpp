#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

namespace gonet {

// Two ends of a real loopback connection; the server end non-blocking, as accepted ones are.
struct SocketPair {
  explicit SocketPair(asio::io_context& io) : server(io), client(io) {
    asio::ip::tcp::acceptor acceptor(io,
                                     asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
    server.non_blocking(true);
  }
  asio::ip::tcp::socket server;
  asio::ip::tcp::socket client;
};

}  // namespace gonet
