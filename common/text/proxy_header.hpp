// The PROXY protocol header a load balancer puts before a connection's own bytes (HAProxy's
// "send-proxy" and "send-proxy-v2"): version 1, text, and version 2, binary. Only what a server
// behind a proxy needs: the client's address, or none for a proxy's own connection.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gonet {

// The client's address as the proxy saw it: 4 bytes (IPv4) or 16 (IPv6), network order.
struct ProxiedAddress {
  bool v6 = false;
  std::array<unsigned char, 16> bytes{};
  std::uint16_t port = 0;
  bool operator==(const ProxiedAddress&) const = default;
};

// The longest header a connection may begin with: version 2's 16 bytes and a length field of at
// most 65,535 bytes of addresses and TLVs. Version 1's is at most 107 bytes.
inline constexpr std::size_t kMaxProxyHeader = 16 + 65535;
inline constexpr std::size_t kMaxProxyHeaderV1 = 107;

struct ProxyHeader {
  enum class Status {
    incomplete,  // what came so far begins a header: read more
    complete,    // `length` bytes are the header; the connection's own bytes follow
    malformed,   // not a header, or a broken one: `why` says how
  };
  Status status = Status::incomplete;
  std::size_t length = 0;
  // The client's address; none for a v1 UNKNOWN or v2 LOCAL header (a proxy's health check) and
  // for families other than TCP over IPv4 or IPv6: then the connection is the proxy's own.
  std::optional<ProxiedAddress> source;
  std::string why;
};

// Reads the header at the start of `bytes`, whichever version it is.
ProxyHeader parse_proxy_header(std::string_view bytes);

// The same verdicts on a header that arrives in pieces, each byte looked at once: a version 2
// header's addresses are kept and its TLVs counted past, a version 1 line is kept (107 bytes at
// most) and parsed once its end has come.
class ProxyHeaderParser {
 public:
  // How many of the next bytes are the header's if it is one at all, and may be taken off the
  // socket without looking: the rest of the shortest header, then of a version 2 header. Zero
  // while a version 1 line goes on: its end is where its "\r\n" is.
  std::size_t certain() const;
  // Takes bytes from the start of `more`, up to the header's end; returns how many it took. It
  // takes none once the header is complete or malformed.
  std::size_t feed(std::string_view more);
  const ProxyHeader& header() const { return header_; }
  // The bytes it holds: at most 16 and 36 of addresses, or a version 1 line of 107.
  std::size_t kept() const { return head_.size(); }

 private:
  std::size_t feed_v1(std::string_view more);
  std::size_t feed_v2(std::string_view more);

  std::string head_;        // version 1: the line; version 2: 16 bytes and 36 of addresses at most
  std::size_t taken_ = 0;   // of the header
  std::size_t length_ = 0;  // version 2: the whole header's, once its first 16 bytes have come
  ProxyHeader header_;
};

}  // namespace gonet
