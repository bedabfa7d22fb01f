#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gonet {

// A server to dial or an address to listen on, as the user wrote it (the host is not resolved).
struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  bool operator==(const Endpoint&) const = default;
};

// "localhost:8000", "[::1]:8000": brackets around IPv6 literals, as Go's net.JoinHostPort.
std::string to_string(const Endpoint& endpoint);

// A port number in decimal, within [min, 65535]; nothing else (no "0x1f", no "+8", no spaces).
std::optional<std::uint16_t> parse_port(std::string_view text, std::uint16_t min = 0);

// "HOST:PORT" or "[IPV6]:PORT", as Go's net.SplitHostPort; a client's port is never 0.
std::optional<Endpoint> parse_host_port(std::string_view text);

}  // namespace gonet
