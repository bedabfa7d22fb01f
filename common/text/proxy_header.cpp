#include "common/text/proxy_header.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace gonet {
namespace {

using Status = ProxyHeader::Status;

constexpr std::string_view kV1Prefix = "PROXY ";
constexpr std::string_view kV2Signature{"\r\n\r\n\0\r\nQUIT\n", 12};

ProxyHeader malformed(std::string why) {
  return ProxyHeader{Status::malformed, 0, std::nullopt, std::move(why)};
}

ProxyHeader incomplete() { return ProxyHeader{}; }

// Whether `bytes` and `expected` agree as far as both go.
bool agrees_with(std::string_view bytes, std::string_view expected) {
  const std::size_t n = std::min(bytes.size(), expected.size());
  return bytes.substr(0, n) == expected.substr(0, n);
}

// A port as version 1 writes it: decimal, 0 to 65535, no sign, no leading zero.
std::optional<std::uint16_t> v1_port(std::string_view text) {
  if (text.empty() || text.size() > 5 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  unsigned value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::optional<ProxiedAddress> v1_address(bool v6, std::string_view host, std::string_view port) {
  ProxiedAddress address;
  address.v6 = v6;
  const std::string text(host);
  if (::inet_pton(v6 ? AF_INET6 : AF_INET, text.c_str(), address.bytes.data()) != 1) {
    return std::nullopt;
  }
  const auto number = v1_port(port);
  if (!number) return std::nullopt;
  address.port = *number;
  return address;
}

// "PROXY TCP4 SRC DST SPORT DPORT\r\n", "PROXY TCP6 ...", "PROXY UNKNOWN[ anything]\r\n".
ProxyHeader parse_v1(std::string_view bytes) {
  const std::size_t end = bytes.substr(0, kMaxProxyHeaderV1).find("\r\n");
  // The line holds printable ASCII only; a '\r' may come last while its '\n' is on the way. A
  // byte the line never holds need not wait for the line's end.
  const std::string_view so_far =
      end == std::string_view::npos ? bytes.substr(0, kMaxProxyHeaderV1) : bytes.substr(0, end);
  for (std::size_t i = 0; i < so_far.size(); ++i) {
    const char c = so_far[i];
    const bool awaiting_lf = c == '\r' && end == std::string_view::npos && i + 1 == bytes.size();
    if ((c < 0x20 || c >= 0x7f) && !awaiting_lf) {
      return malformed("v1 header with a byte it cannot hold");
    }
  }
  if (end == std::string_view::npos) {
    if (bytes.size() >= kMaxProxyHeaderV1) return malformed("v1 header longer than 107 bytes");
    return incomplete();
  }
  const std::string_view line = bytes.substr(kV1Prefix.size(), end - kV1Prefix.size());
  const std::size_t length = end + 2;
  if (line.starts_with("UNKNOWN") && (line.size() == 7 || line[7] == ' ')) {
    return ProxyHeader{Status::complete, length, std::nullopt, {}};
  }
  // Five fields, one space apart.
  std::array<std::string_view, 5> fields;
  std::size_t count = 0;
  for (std::string_view rest = line;;) {
    const std::size_t space = rest.find(' ');
    const std::string_view field = rest.substr(0, space);
    if (field.empty() || count == fields.size()) return malformed("v1 header without 5 fields");
    fields[count++] = field;
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space + 1);
  }
  if (count != fields.size()) return malformed("v1 header without 5 fields");
  bool v6;
  if (fields[0] == "TCP4") {
    v6 = false;
  } else if (fields[0] == "TCP6") {
    v6 = true;
  } else {
    return malformed("v1 header of an unknown protocol");
  }
  auto source = v1_address(v6, fields[1], fields[3]);
  if (!source || !v1_address(v6, fields[2], fields[4])) {
    return malformed("v1 header with a bad address or port");
  }
  return ProxyHeader{Status::complete, length, source, {}};
}

std::uint16_t big_endian16(const char* p) {
  return static_cast<std::uint16_t>((static_cast<unsigned char>(p[0]) << 8) |
                                    static_cast<unsigned char>(p[1]));
}

// The 12-byte signature, version and command, family and protocol, length, then the addresses
// and TLVs, which are skipped.
ProxyHeader parse_v2(std::string_view bytes) {
  if (bytes.size() < 16) return incomplete();
  const auto version_command = static_cast<unsigned char>(bytes[12]);
  const auto family = static_cast<unsigned char>(bytes[13]);
  const std::size_t body = big_endian16(bytes.data() + 14);
  if ((version_command >> 4) != 2) return malformed("v2 header of another version");
  const unsigned command = version_command & 0x0f;
  if (command > 1) return malformed("v2 header of an unknown command");
  const std::size_t length = 16 + body;
  if (bytes.size() < length) return incomplete();
  ProxyHeader header{Status::complete, length, std::nullopt, {}};
  if (command == 0) return header;  // LOCAL: the proxy's own connection
  const char* addresses = bytes.data() + 16;
  if (family == 0x11) {  // TCP over IPv4
    if (body < 12) return malformed("v2 TCP4 header shorter than its addresses");
    ProxiedAddress source;
    std::memcpy(source.bytes.data(), addresses, 4);
    source.port = big_endian16(addresses + 8);
    header.source = source;
  } else if (family == 0x21) {  // TCP over IPv6
    if (body < 36) return malformed("v2 TCP6 header shorter than its addresses");
    ProxiedAddress source;
    source.v6 = true;
    std::memcpy(source.bytes.data(), addresses, 16);
    source.port = big_endian16(addresses + 32);
    header.source = source;
  }
  // UNSPEC, UDP or UNIX: nothing a TCP server can name, so the proxy's own address.
  return header;
}

}  // namespace

ProxyHeader parse_proxy_header(std::string_view bytes) {
  if (bytes.empty()) return incomplete();
  if (agrees_with(bytes, kV2Signature)) {
    return bytes.size() < kV2Signature.size() ? incomplete() : parse_v2(bytes);
  }
  if (agrees_with(bytes, kV1Prefix)) {
    return bytes.size() < kV1Prefix.size() ? incomplete() : parse_v1(bytes);
  }
  return malformed("no PROXY protocol header");
}

}  // namespace gonet
