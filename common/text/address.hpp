#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gonet {

// A server to dial or an address to listen on, as the user wrote it (the host is not resolved).
// A client may name its port by service ("http", as nc and getaddrinfo take it): `service` then
// holds the name, `port` is 0, and the name is looked up when the server is dialled.
struct Endpoint {
  std::string host;
  std::uint16_t port = 0;
  std::string service{};  // {}: aggregates written {host, port} stay warning-free
  bool operator==(const Endpoint&) const = default;
};

// "localhost:8000", "[::1]:8000", "localhost:http": brackets around IPv6 literals, as Go's
// net.JoinHostPort.
std::string to_string(const Endpoint& endpoint);

// A port number in decimal, within [min, 65535]; nothing else (no "0x1f", no "+8", no spaces).
std::optional<std::uint16_t> parse_port(std::string_view text, std::uint16_t min = 0);

// A host as users write it: "::1" or "[::1]" (brackets around the whole host, which go), a name,
// an IPv4 address. nullopt for stray or unbalanced brackets; an empty host stays empty.
std::optional<std::string> parse_host(std::string_view text);

// A server to dial: a host (as parse_host takes it, not empty), and a port from 1 to 65535 or a
// service name (a letter, then letters, digits, '-', '_', '.' or '+'; at most 32). Anything
// starting with a digit, a sign or a space is a port number or nothing.
std::optional<Endpoint> dial_endpoint(std::string_view host, std::string_view port);

// Whether `host` lies in the special-use domain "invalid" (RFC 6761): a name that never resolves,
// so a lookup of it must fail at once, without asking a name server.
bool is_in_invalid_domain(std::string_view host);

// "HOST:PORT" or "[IPV6]:PORT", as Go's net.SplitHostPort; then as dial_endpoint takes them (a
// client's port is never 0, and may be a service name: "localhost:http").
std::optional<Endpoint> parse_host_port(std::string_view text);

// Whether the port after the last colon is a number that no server can have ("localhost:0",
// "[::1]:99999"): what to say when parse_host_port refuses one.
bool has_port_out_of_range(std::string_view host_port);

}  // namespace gonet
