#pragma once

#include <string>
#include <string_view>

#include <asio/ip/tcp.hpp>

namespace gonet {

// A client's name by default: its address as Go's conn.RemoteAddr().String() prints it,
// "127.0.0.1:51234", "[::1]:51234"; an IPv4 client of a server listening on "::" is named by its
// IPv4 address, as Go names it, not "[::ffff:127.0.0.1]:51234".
std::string name_of(const asio::ip::tcp::endpoint& peer);

// A name a client chose (-names): its line without the white space around it, as Go's
// strings.TrimSpace cuts it (ASCII and Unicode white space, such as a no-break space).
std::string trim_name(std::string_view line);

}  // namespace gonet
