#include "common/text/address.hpp"

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
  // Go's net.SplitHostPort: the port follows the last colon; brackets only around the whole host.
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host;
  std::size_t after_open = 0;   // where a '[' may no longer appear
  std::size_t after_close = 0;  // where a ']' may no longer appear
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 != colon) return std::nullopt;
    host = text.substr(1, close - 1);
    after_open = 1;
    after_close = close + 1;
  } else {
    host = text.substr(0, colon);
    // An unbracketed IPv6 literal ("::1:8000") is ambiguous; Go rejects it too.
    if (host.find(':') != std::string_view::npos) return std::nullopt;
  }
  if (text.find('[', after_open) != std::string_view::npos) return std::nullopt;
  if (text.find(']', after_close) != std::string_view::npos) return std::nullopt;
  const auto number = parse_port(text.substr(colon + 1), 1);
  if (host.empty() || !number) return std::nullopt;
  return Endpoint{std::string(host), *number};
}

}  // namespace gonet
