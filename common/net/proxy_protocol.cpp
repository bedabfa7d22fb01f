#include "common/net/proxy_protocol.hpp"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <optional>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/address_v4.hpp>
#include <asio/ip/address_v6.hpp>
#include <asio/steady_timer.hpp>

#include "common/net/awaitable.hpp"
#include "common/text/duration.hpp"
#include "common/text/proxy_header.hpp"

namespace gonet {
namespace {

asio::ip::tcp::endpoint endpoint_of(const ProxiedAddress& address) {
  if (address.v6) return {asio::ip::address_v6(address.bytes), address.port};
  asio::ip::address_v4::bytes_type v4;
  std::copy_n(address.bytes.begin(), v4.size(), v4.begin());
  return {asio::ip::address_v4(v4), address.port};
}

}  // namespace

asio::awaitable<std::variant<asio::ip::tcp::endpoint, std::string>> read_proxy_header(
    asio::ip::tcp::socket& socket, const asio::ip::tcp::endpoint& proxy,
    std::chrono::steady_clock::duration within) {
  using namespace asio::experimental::awaitable_operators;
  // Made at the first wait only: a header that is there when the connection is accepted (the
  // usual case behind a proxy, which sends it with its first segment) costs no timer.
  std::optional<asio::steady_timer> deadline;
  // The bytes taken off the socket so far: each of them belongs to the header. What comes next
  // is only looked at (MSG_PEEK) until the header is known to end, so the session's first bytes
  // stay where it reads them.
  std::string taken;
  std::array<char, 512> next;
  for (;;) {
    const ssize_t n = ::recv(socket.native_handle(), next.data(), next.size(), MSG_PEEK);
    if (n == 0) co_return std::string("closed before its PROXY protocol header");
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      co_return std::string("reading its PROXY protocol header: ") +
          std::error_code(errno, std::generic_category()).message();
    }
    if (n > 0) {
      const std::string_view peeked(next.data(), static_cast<std::size_t>(n));
      const ProxyHeader header = parse_proxy_header(taken + std::string(peeked));
      if (header.status == ProxyHeader::Status::malformed) co_return header.why;
      // Take what is certainly the header's: all that was looked at, or up to its end.
      const std::size_t take = header.status == ProxyHeader::Status::complete
                                   ? header.length - taken.size()
                                   : peeked.size();
      if (::recv(socket.native_handle(), next.data(), take, 0) != static_cast<ssize_t>(take)) {
        co_return std::string("reading its PROXY protocol header: short read");
      }
      taken.append(peeked.substr(0, take));
      if (header.status == ProxyHeader::Status::complete) {
        if (!header.source) co_return proxy;
        co_return endpoint_of(*header.source);
      }
      continue;  // more may be waiting already
    }
    if (!deadline) deadline.emplace(socket.get_executor(), within);
    const auto woken = co_await (socket.async_wait(asio::socket_base::wait_read, use_nothrow) ||
                                 deadline->async_wait(use_nothrow));
    if (woken.index() == 1) {
      co_return "no complete PROXY protocol header within " +
          format_duration(std::chrono::duration_cast<std::chrono::nanoseconds>(within));
    }
  }
}

}  // namespace gonet
