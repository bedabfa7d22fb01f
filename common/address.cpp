#include "common/address.hpp"

#include <charconv>

namespace gonet {

std::string to_string(const Endpoint& endpoint) {
  const bool ipv6 = endpoint.host.find(':') != std::string::npos;
  std::string text = ipv6 ? "[" + endpoint.host + "]" : endpoint.host;
  return text + ":" + std::to_string(endpoint.port);
}

std::optional<std::uint16_t> parse_port(std::string_view text, std::uint16_t min) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  if (value < min || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::optional<Endpoint> parse_host_port(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    // An unbracketed IPv6 literal ("::1:8000") is ambiguous; Go rejects it too.
    if (host.find(':') != std::string_view::npos) return std::nullopt;
  }
  const auto number = parse_port(port, 1);
  if (host.empty() || !number) return std::nullopt;
  return Endpoint{std::string(host), *number};
}

}  // namespace gonet
