#include "common/net/listener.hpp"

#include <asio/detail/socket_option.hpp>
#include <asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "common/net/awaitable.hpp"
#include "common/net/failure.hpp"

namespace gonet {
namespace {

using asio::ip::tcp;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

bool out_of_descriptors(const std::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == std::errc::too_many_files_open_in_system ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

tcp::endpoint resolve(asio::io_context& loop, const Endpoint& where) {
  tcp::resolver resolver(loop);
  std::error_code ec;
  const auto results =
      resolver.resolve(where.host, std::to_string(where.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec) throw Failure("listen " + to_string(where), ec);
  // "localhost" is both 127.0.0.1 and ::1; bind one of them, IPv4 first, as Go does.
  for (const auto& entry : results) {
    if (entry.endpoint().address().is_v4()) return entry.endpoint();
  }
  return results.begin()->endpoint();
}

}  // namespace

asio::awaitable<Connection> Listener::accept() {
  for (;;) {
    tcp::endpoint peer;
    auto [ec, socket] = co_await acceptor_.async_accept(peer, use_nothrow);
    if (!ec) {
      switch (limit_->try_take(peer.address())) {
        case ConnectionLimit::Verdict::taken:
          break;
        case ConnectionLimit::Verdict::over_max:
          over_limit_.warn("connection limit " + std::to_string(limit_->max()) +
                           " reached; closing " + to_string(peer));
          continue;  // the socket closes here
        case ConnectionLimit::Verdict::over_max_per_host:
          over_host_limit_.warn("connection limit " + std::to_string(limit_->max_per_host()) +
                                " per host reached; closing " + to_string(peer));
          continue;
      }
      socket.non_blocking(true, ec);
      if (spdlog::should_log(spdlog::level::debug)) spdlog::debug("accept {}", to_string(peer));
      co_return Connection(std::move(socket), peer, *limit_);
    }
    if (ec == asio::error::operation_aborted) throw std::system_error(ec, "accept");
    if (out_of_descriptors(ec)) {
      // The pending connection stays in the backlog and would wake us again at once.
      out_of_descriptors_.warn("accept: " + describe(ec) + "; pausing 100ms");
      asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(use_nothrow);
    } else {
      spdlog::debug("accept: {}", describe(ec));  // e.g. a client that gave up in the backlog
    }
  }
}

std::vector<tcp::acceptor> listen(std::deque<asio::io_context>& loops, const Endpoint& where) {
  auto endpoint = resolve(loops.front(), where);
  std::vector<tcp::acceptor> acceptors;
  for (asio::io_context& loop : loops) {
    tcp::acceptor acceptor(loop);
    std::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && loops.size() > 1) acceptor.set_option(ReusePort(true), ec);
    // Lines go out as they are written. Accepted sockets inherit it: one call per listener,
    // not one per connection.
    if (!ec) acceptor.set_option(tcp::no_delay(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw Failure("listen " + to_string(where), ec);
    // With -port 0 the first bind picks the port; the other loops must share it.
    endpoint = acceptor.local_endpoint();
    acceptors.push_back(std::move(acceptor));
  }
  return acceptors;
}

}  // namespace gonet
