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
    // (At the 107th byte, a '\r' is the line's length that is wrong.)
    const bool awaiting_lf = c == '\r' && end == std::string_view::npos &&
                             (i + 1 == bytes.size() || i + 1 == kMaxProxyHeaderV1);
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

// The 12-byte signature, version and command, family and protocol, and length: the header's whole
// length as `length` of an incomplete one, or why it is none.
ProxyHeader v2_preamble(std::string_view first16) {
  const auto version_command = static_cast<unsigned char>(first16[12]);
  if ((version_command >> 4) != 2) return malformed("v2 header of another version");
  if ((version_command & 0x0f) > 1) return malformed("v2 header of an unknown command");
  return ProxyHeader{
      Status::incomplete, std::size_t{16} + big_endian16(first16.data() + 14), std::nullopt, {}};
}

// The addresses that follow the 16 bytes, of which `bytes` holds at least 36 or all there are;
// the TLVs after them are skipped.
ProxyHeader v2_header(std::string_view bytes, std::size_t length) {
  const unsigned command = static_cast<unsigned char>(bytes[12]) & 0x0f;
  const auto family = static_cast<unsigned char>(bytes[13]);
  const std::size_t body = length - 16;
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

// The longest address block a v2 header names a TCP client with (IPv6's).
constexpr std::size_t kV2Addresses = 36;

ProxyHeader parse_v2(std::string_view bytes) {
  if (bytes.size() < 16) return incomplete();
  const ProxyHeader preamble = v2_preamble(bytes);
  if (preamble.status == Status::malformed) return preamble;
  if (bytes.size() < preamble.length) return incomplete();
  return v2_header(bytes, preamble.length);
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

std::size_t ProxyHeaderParser::certain() const {
  if (header_.status != Status::incomplete) return 0;
  if (taken_ > 0 && head_[0] == kV2Signature[0]) {
    return (length_ > 0 ? length_ : 16) - taken_;
  }
  // Neither version's header is shorter than "PROXY UNKNOWN\r\n".
  constexpr std::size_t kShortest = 15;
  return taken_ < kShortest ? kShortest - taken_ : 0;
}

std::size_t ProxyHeaderParser::feed(std::string_view more) {
  if (more.empty() || header_.status != Status::incomplete) return 0;
  if (taken_ == 0 && more[0] != kV2Signature[0] && more[0] != kV1Prefix[0]) {
    header_ = malformed("no PROXY protocol header");
    return 0;
  }
  const char first = taken_ == 0 ? more[0] : head_[0];
  return first == kV2Signature[0] ? feed_v2(more) : feed_v1(more);
}

std::size_t ProxyHeaderParser::feed_v1(std::string_view more) {
  std::size_t used = 0;
  while (used < more.size()) {
    const char c = more[used++];
    ++taken_;
    head_ += c;
    if (head_.size() <= kV1Prefix.size()) {
      if (c != kV1Prefix[head_.size() - 1]) {
        header_ = malformed("no PROXY protocol header");
        return used;
      }
      continue;
    }
    const bool after_cr = head_[head_.size() - 2] == '\r';
    if (c == '\n' && after_cr) {
      header_ = parse_v1(head_);  // once, at the line's end
      return used;
    }
    // A '\r' only just before its '\n'; nothing else outside printable ASCII.
    if (after_cr || (c != '\r' && (c < 0x20 || c >= 0x7f))) {
      header_ = malformed("v1 header with a byte it cannot hold");
      return used;
    }
    if (head_.size() >= kMaxProxyHeaderV1) {
      header_ = malformed("v1 header longer than 107 bytes");
      return used;
    }
  }
  return used;
}

std::size_t ProxyHeaderParser::feed_v2(std::string_view more) {
  std::size_t used = 0;
  if (taken_ < 16) {
    const std::size_t n = std::min(16 - taken_, more.size());
    const std::string_view piece = more.substr(0, n);
    if (taken_ < kV2Signature.size() && !agrees_with(piece, kV2Signature.substr(taken_))) {
      header_ = malformed("no PROXY protocol header");
      return n;
    }
    head_.append(piece);
    taken_ += n;
    used = n;
    if (taken_ < 16) return used;
    const ProxyHeader preamble = v2_preamble(head_);
    if (preamble.status == Status::malformed) {
      header_ = preamble;
      return used;
    }
    length_ = preamble.length;
  }
  const std::size_t n = std::min(length_ - taken_, more.size() - used);
  const std::size_t keep = std::min(16 + kV2Addresses, length_);
  if (head_.size() < keep) head_.append(more.substr(used, std::min(n, keep - head_.size())));
  taken_ += n;
  used += n;
  if (taken_ == length_) header_ = v2_header(head_, length_);
  return used;
}

}  // namespace gonet
