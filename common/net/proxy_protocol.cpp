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

// What a connection has sent of its header so far, taken off its socket without waiting: never a
// byte past the header's end, which the session reads. The bytes that are certainly the header's
// are read straight in; a version 1 line's end is looked for first (MSG_PEEK), then taken.
enum class Progress { ended, drained };
Progress read_what_came(int fd, ProxyHeaderParser& parser, std::string& error) {
  std::array<char, 4096> buffer;
  for (;;) {
    std::size_t want = parser.certain();
    const bool look = want == 0;
    if (look) want = kMaxProxyHeaderV1;
    want = std::min(want, buffer.size());
    const ssize_t n = ::recv(fd, buffer.data(), want, look ? MSG_PEEK : 0);
    if (n == 0) {
      error = "closed before its PROXY protocol header";
      return Progress::ended;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Progress::drained;
      error = "reading its PROXY protocol header: " +
              std::error_code(errno, std::generic_category()).message();
      return Progress::ended;
    }
    const std::size_t used = parser.feed({buffer.data(), static_cast<std::size_t>(n)});
    if (look && used > 0 && ::recv(fd, buffer.data(), used, 0) != static_cast<ssize_t>(used)) {
      error = "reading its PROXY protocol header: short read";
      return Progress::ended;
    }
    if (parser.header().status != ProxyHeader::Status::incomplete) return Progress::ended;
    // Fewer bytes than asked for: the socket holds no more for now.
    if (static_cast<std::size_t>(n) < want) return Progress::drained;
  }
}

// Reads on as the header arrives, a wait and a read for each piece of it, as a line reader does.
asio::awaitable<std::string> read_rest(asio::ip::tcp::socket& socket, ProxyHeaderParser& parser) {
  std::string error;
  for (;;) {
    const auto [ec] = co_await socket.async_wait(asio::socket_base::wait_read, use_nothrow);
    if (ec) co_return "reading its PROXY protocol header: " + ec.message();
    if (read_what_came(socket.native_handle(), parser, error) == Progress::ended) co_return error;
  }
}

}  // namespace

asio::awaitable<std::variant<asio::ip::tcp::endpoint, std::string>> read_proxy_header(
    asio::ip::tcp::socket& socket, const asio::ip::tcp::endpoint& proxy,
    std::chrono::steady_clock::duration within) {
  using namespace asio::experimental::awaitable_operators;
  ProxyHeaderParser parser;
  std::string error;
  // A header that is there when the connection is accepted (the usual case behind a proxy, which
  // sends it with its first segment) costs no timer; one that dribbles in races one deadline.
  if (read_what_came(socket.native_handle(), parser, error) == Progress::drained) {
    asio::steady_timer deadline(socket.get_executor(), within);
    auto woken = co_await (read_rest(socket, parser) || deadline.async_wait(use_nothrow));
    if (woken.index() == 1) {
      co_return "no complete PROXY protocol header within " +
          format_duration(std::chrono::duration_cast<std::chrono::nanoseconds>(within));
    }
    error = std::get<0>(std::move(woken));
  }
  const ProxyHeader& header = parser.header();
  switch (header.status) {
    case ProxyHeader::Status::complete:
      if (!header.source) co_return proxy;
      co_return endpoint_of(*header.source);
    case ProxyHeader::Status::malformed:
      co_return header.why;
    case ProxyHeader::Status::incomplete:
      break;
  }
  co_return error;
}

}  // namespace gonet
