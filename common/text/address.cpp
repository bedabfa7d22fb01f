#include "common/text/address.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace gonet {
namespace {

bool is_service_name(std::string_view text) {
  constexpr std::size_t kLongest = 32;  // /etc/services' longest names are about 20
  if (text.empty() || text.size() > kLongest) return false;
  if (std::isalpha(static_cast<unsigned char>(text.front())) == 0) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.' ||
           c == '+';
  });
}

}  // namespace

std::string to_string(const Endpoint& endpoint) {
  const bool ipv6 = endpoint.host.find(':') != std::string::npos;
  std::string text = ipv6 ? "[" + endpoint.host + "]" : endpoint.host;
  return text + ":" + (endpoint.service.empty() ? std::to_string(endpoint.port) : endpoint.service);
}

std::optional<std::uint16_t> parse_port(std::string_view text, std::uint16_t min) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  if (value < min || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::optional<std::string> parse_host(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
    if (text.empty()) return std::nullopt;
  }
  if (text.find_first_of("[]") != std::string_view::npos) return std::nullopt;
  return std::string(text);
}

std::optional<Endpoint> dial_endpoint(std::string_view host_text, std::string_view port) {
  const auto host = parse_host(host_text);
  if (!host || host->empty()) return std::nullopt;
  if (is_service_name(port)) return Endpoint{*host, 0, std::string(port)};
  const auto number = parse_port(port, 1);
  if (!number) return std::nullopt;
  return Endpoint{*host, *number};
}

bool is_in_invalid_domain(std::string_view host) {
  if (host.ends_with('.')) host.remove_suffix(1);  // rooted: "nosuch.invalid."
  constexpr std::string_view kInvalid = "invalid";
  if (host.size() < kInvalid.size()) return false;
  const auto label = host.substr(host.size() - kInvalid.size());
  const bool named = std::equal(label.begin(), label.end(), kInvalid.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == b;
  });
  return named &&
         (host.size() == kInvalid.size() || host[host.size() - kInvalid.size() - 1] == '.');
}

bool has_port_out_of_range(std::string_view host_port) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == host_port.size()) return false;
  const auto port = host_port.substr(colon + 1);
  return port.find_first_not_of("0123456789") == std::string_view::npos && !parse_port(port, 1);
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
  if (host.empty()) return std::nullopt;
  return dial_endpoint(host, text.substr(colon + 1));
}

}  // namespace gonet
