// The PROXY protocol header parser on any bytes a connection may begin with: it never reads past
// them, and its verdicts agree with each other as the bytes arrive. A header is complete at
// exactly one length, every shorter prefix of it is incomplete, bytes after it change nothing,
// and a malformed start stays malformed whatever follows.
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
