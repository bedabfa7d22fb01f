// The PROXY protocol header parser on any bytes a connection may begin with: it never reads past
// them, and its verdicts agree with each other as the bytes arrive. A header is complete at
// exactly one length, every shorter prefix of it is incomplete, bytes after it change nothing,
// and a malformed start stays malformed whatever follows. Fed in pieces (ProxyHeaderParser), it
// says the same and takes not a byte past the header.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/text/proxy_header.hpp"

namespace {

using gonet::parse_proxy_header;
using Status = gonet::ProxyHeader::Status;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_proxy_header: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const auto parsed = parse_proxy_header(input);
  for (const std::size_t piece : {std::size_t{1}, size == 0 ? std::size_t{1} : 1 + data[0] % 9u}) {
    gonet::ProxyHeaderParser parser;
    std::size_t taken = 0;
    for (std::size_t at = 0; at < size && parser.header().status == Status::incomplete;
         at += piece) {
      const std::string_view next = std::string_view(input).substr(at, piece);
      const std::size_t n = parser.feed(next);
      check(n <= next.size(), "took more than it was given");
      check(n == next.size() || parser.header().status != Status::incomplete,
            "left bytes of an incomplete header");
      taken += n;
    }
    const auto& fed = parser.header();
    check(fed.status == parsed.status && fed.why == parsed.why, "in pieces, another verdict");
    if (parsed.status == Status::complete) {
      check(fed.length == parsed.length && fed.source == parsed.source,
            "in pieces, another header");
      check(taken == parsed.length, "in pieces, not taken to the header's end");
    }
    check(parser.kept() <= gonet::kMaxProxyHeaderV1, "kept more than 107 bytes");
  }
  switch (parsed.status) {
    case Status::complete: {
      check(parsed.length >= 8 && parsed.length <= input.size(), "length outside the input");
      check(parsed.length <= gonet::kMaxProxyHeader, "length over the protocol's bound");
      check(parsed.why.empty(), "a reason given for a complete header");
      const auto alone = parse_proxy_header(std::string_view(input).substr(0, parsed.length));
      check(alone.status == Status::complete && alone.length == parsed.length &&
                alone.source == parsed.source,
            "the bytes after a header changed it");
      for (std::size_t n = 0; n < parsed.length; n += 1 + n / 64) {
        check(parse_proxy_header(std::string_view(input).substr(0, n)).status == Status::incomplete,
              "a prefix of a complete header is not incomplete");
      }
      if (input[0] == 'P') check(parsed.length <= gonet::kMaxProxyHeaderV1, "v1 over 107 bytes");
      break;
    }
    case Status::malformed:
      check(!parsed.why.empty(), "no reason for a malformed header");
      check(parse_proxy_header(input + "\r\n\r\n").status == Status::malformed,
            "more bytes mended a malformed header");
      break;
    case Status::incomplete:
      check(input.size() < gonet::kMaxProxyHeader, "incomplete past the protocol's bound");
      if (!input.empty() && input[0] == 'P') {
        check(input.size() < gonet::kMaxProxyHeaderV1, "v1 incomplete past 107 bytes");
      }
      break;
  }
  return 0;
}
