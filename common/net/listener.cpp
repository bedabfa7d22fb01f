#include "common/net/listener.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <iterator>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "common/net/awaitable.hpp"
#include "common/net/failure.hpp"
#include "common/net/proxy_protocol.hpp"

namespace gonet {
namespace {

using asio::ip::tcp;

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

// The next socket from the backlog, pausing while descriptors run out and, with a `rate`, until
// it allows one. Throws when the acceptor is closed.
asio::awaitable<std::pair<tcp::socket, tcp::endpoint>> accept_socket(
    tcp::acceptor& acceptor, RateLimitedWarning& descriptors_ran_out, AcceptRate* rate) {
  for (;;) {
    if (rate) {
      asio::steady_timer until_allowed(acceptor.get_executor());
      for (auto wait = rate->wait(AcceptRate::Clock::now()); wait.count() > 0;
           wait = rate->wait(AcceptRate::Clock::now())) {
        until_allowed.expires_after(wait);
        co_await until_allowed.async_wait(use_nothrow);
      }
    }
    tcp::endpoint peer;
    auto [ec, socket] = co_await acceptor.async_accept(peer, use_nothrow);
    if (!ec) {
      if (rate) rate->take(AcceptRate::Clock::now());
      co_return std::pair{std::move(socket), peer};
    }
    if (ec == asio::error::operation_aborted) throw std::system_error(ec, "accept");
    if (out_of_descriptors(ec)) {
      // The pending connection stays in the backlog and would wake us again at once.
      descriptors_ran_out.warn("accept: " + describe(ec) + "; pausing 100ms");
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(use_nothrow);
    } else {
      spdlog::debug("accept: {}", describe(ec));  // e.g. a client that gave up in the backlog
    }
  }
}

}  // namespace

// Behind a proxy the acceptor is this loop's own, apart from the session's accept(): a client
// slow to send its header must not keep the next one waiting.
struct HeaderReading {
  HeaderReading(tcp::acceptor acceptor, AcceptRate* rate)
      : acceptor(std::move(acceptor)), rate(rate), ready_to_admit(this->acceptor.get_executor()) {}
  tcp::acceptor acceptor;
  AcceptRate* rate;
  std::deque<std::pair<tcp::socket, tcp::endpoint>> read;
  asio::steady_timer ready_to_admit;  // a condition variable: cancelled when `read` grows
  std::size_t reading = 0;
  bool accepting = false;
  RateLimitedWarning out_of_descriptors;
  RateLimitedWarning too_many;
  RateLimitedWarning bad_header;
};

namespace {

// At most this many connections per event loop may be sending their headers at once: each holds
// a descriptor for up to 5 s.
constexpr std::size_t kMaxHeadersReading = 1024;

asio::awaitable<void> read_header(std::shared_ptr<HeaderReading> state, tcp::socket socket,
                                  tcp::endpoint proxy);

asio::awaitable<void> accept_for_headers(std::shared_ptr<HeaderReading> state) {
  for (;;) {
    auto [socket, proxy] =
        co_await accept_socket(state->acceptor, state->out_of_descriptors, state->rate);
    if (state->reading >= kMaxHeadersReading) {
      state->too_many.warn(std::to_string(kMaxHeadersReading) +
                           " connections are sending their PROXY headers; closing " +
                           to_string(proxy));
      continue;
    }
    ++state->reading;
    asio::co_spawn(state->acceptor.get_executor(), read_header(state, std::move(socket), proxy),
                   asio::detached);
  }
}

asio::awaitable<void> read_header(std::shared_ptr<HeaderReading> state, tcp::socket socket,
                                  tcp::endpoint proxy) {
  std::error_code ec;
  socket.non_blocking(true, ec);
  auto client = co_await read_proxy_header(socket, proxy);
  --state->reading;
  if (auto* why = std::get_if<std::string>(&client)) {
    state->bad_header.warn("closing " + to_string(proxy) + ": " + *why);
    co_return;  // the socket closes here, without a byte sent
  }
  state->read.emplace_back(std::move(socket), std::get<tcp::endpoint>(client));
  state->ready_to_admit.cancel();
}

}  // namespace

Listener::Listener(tcp::acceptor acceptor, ConnectionLimit& limit, bool proxy_protocol,
                   AcceptRate* rate)
    : executor_(acceptor.get_executor()),
      acceptor_(std::move(acceptor)),
      limit_(&limit),
      rate_(rate) {
  if (proxy_protocol) headers_ = std::make_shared<HeaderReading>(std::move(acceptor_), rate);
}

std::optional<Connection> Listener::admit(tcp::socket socket, const tcp::endpoint& peer) {
  switch (limit_->try_take(peer.address())) {
    case ConnectionLimit::Verdict::taken:
      break;
    case ConnectionLimit::Verdict::over_max:
      over_limit_.warn("connection limit " + std::to_string(limit_->max()) + " reached; closing " +
                       to_string(peer));
      return std::nullopt;  // the socket closes here
    case ConnectionLimit::Verdict::over_max_per_host:
      over_host_limit_.warn("connection limit " + std::to_string(limit_->max_per_host()) +
                            " per host reached; closing " + to_string(peer));
      return std::nullopt;
  }
  std::error_code ec;
  if (!socket.non_blocking()) socket.non_blocking(true, ec);  // one that read a header already is
  if (spdlog::should_log(spdlog::level::debug)) spdlog::debug("accept {}", to_string(peer));
  return Connection(std::move(socket), peer, *limit_);
}

asio::awaitable<Connection> Listener::accept() {
  if (!headers_) {
    for (;;) {
      auto [socket, peer] = co_await accept_socket(acceptor_, out_of_descriptors_, rate_);
      if (auto conn = admit(std::move(socket), peer)) co_return std::move(*conn);
    }
  }
  if (!headers_->accepting) {
    headers_->accepting = true;
    // A server that stops destroys it without an end; an accept that failed otherwise is said.
    asio::co_spawn(executor_, accept_for_headers(headers_), [](const std::exception_ptr& failure) {
      if (failure) spdlog::error("accept loop: {}", describe(failure));
    });
  }
  for (;;) {
    while (headers_->read.empty()) {
      headers_->ready_to_admit.expires_at(asio::steady_timer::time_point::max());
      co_await headers_->ready_to_admit.async_wait(use_nothrow);
    }
    auto [socket, peer] = std::move(headers_->read.front());
    headers_->read.pop_front();
    if (auto conn = admit(std::move(socket), peer)) co_return std::move(*conn);
  }
}

std::vector<tcp::acceptor> listen(std::deque<asio::io_context>& loops, const Endpoint& where) {
  const auto endpoint = resolve(loops.front(), where);
  tcp::acceptor first(loops.front());
  std::error_code ec;
  first.open(endpoint.protocol(), ec);
  if (!ec) first.set_option(tcp::acceptor::reuse_address(true), ec);
  // Lines go out as they are written. Accepted sockets inherit it: one call per listener, not
  // one per connection.
  if (!ec) first.set_option(tcp::no_delay(true), ec);
  if (!ec) first.bind(endpoint, ec);
  if (!ec) first.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw Failure("listen " + to_string(where), ec);
  // One socket, bound once: the other loops accept on descriptors of their own for it. (One
  // socket per loop with SO_REUSEPORT would let another process of the same user bind the port
  // too and take a share of the clients.)
  std::vector<tcp::acceptor> acceptors;
  for (auto loop = std::next(loops.begin()); loop != loops.end(); ++loop) {
    const int own = ::fcntl(first.native_handle(), F_DUPFD_CLOEXEC, 0);
    if (own < 0) throw Failure("listen " + to_string(where), {errno, std::system_category()});
    tcp::acceptor acceptor(*loop);
    acceptor.assign(endpoint.protocol(), own, ec);
    if (ec) {
      ::close(own);
      throw Failure("listen " + to_string(where), ec);
    }
    acceptors.push_back(std::move(acceptor));
  }
  acceptors.insert(acceptors.begin(), std::move(first));
  return acceptors;
}

}  // namespace gonet
