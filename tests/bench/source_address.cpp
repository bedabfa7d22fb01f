#include "tests/bench/source_address.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

namespace bench {

void open_from_spread_source(asio::ip::tcp::socket& socket, const asio::ip::tcp::endpoint& server,
                             std::size_t index) {
  socket.open(server.protocol());
  if (!server.address().is_v4() || !server.address().is_loopback()) return;
  // Bind the address only: the port is chosen at connect(), for the 4-tuple.
  const int one = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  constexpr std::size_t kSources = 64;
  const auto source = asio::ip::address_v4(0x7f000002 + static_cast<unsigned>(index % kSources));
  socket.bind(asio::ip::tcp::endpoint(source, 0));
}

}  // namespace bench
