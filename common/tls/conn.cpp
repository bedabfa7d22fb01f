#include "common/tls/conn.hpp"

#include "common/net/copy.hpp"

namespace gonet {

asio::awaitable<void> Conn::close_write() {
  if (auto* tls = this->tls()) {
    co_await gonet::close_write(*tls);
  } else {
    std::error_code ignored;
    socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  }
}

asio::awaitable<void> must_copy(asio::posix::stream_descriptor& to, Conn& from) {
  if (from.tls() != nullptr) {
    co_await must_copy<asio::posix::stream_descriptor, Conn>(to, from);
  } else {
    co_await must_copy(to, from.socket());
  }
}

asio::awaitable<void> must_copy(Conn& to, asio::posix::stream_descriptor& from) {
  if (to.tls() != nullptr) {
    co_await must_copy<Conn, asio::posix::stream_descriptor>(to, from);
  } else {
    co_await must_copy(to.socket(), from);
  }
}

}  // namespace gonet
