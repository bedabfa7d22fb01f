#include "common/text/proxy_header.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/proxy_headers.hpp"

namespace {

using namespace std::string_literals;
using gonet::parse_proxy_header;
using gonet::ProxiedAddress;
using Status = gonet::ProxyHeader::Status;

ProxiedAddress v4(unsigned char a, unsigned char b, unsigned char c, unsigned char d,
                  std::uint16_t port) {
  ProxiedAddress address;
  address.bytes[0] = a;
  address.bytes[1] = b;
  address.bytes[2] = c;
  address.bytes[3] = d;
  address.port = port;
  return address;
}

std::string v2(unsigned char version_command, unsigned char family, const std::string& body) {
  return testsupport::proxy_v2(version_command, family, body);
}

// 192.0.2.1:56324 -> 198.51.100.2:443, then a TLV (type 0x04, NOOP, 3 bytes).
const std::string kV2Tcp4Body =
    testsupport::proxy_v2_addresses("192.0.2.1", "198.51.100.2", 56324, 443) +
    "\x04\x00\x03"
    "abc"s;

TEST(ProxyHeader, ReadsAVersionOneTcp4HeaderAndLeavesWhatFollows) {
  const std::string header = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n";
  const auto parsed = parse_proxy_header(header + "Hello\n");
  ASSERT_EQ(parsed.status, Status::complete) << parsed.why;
  EXPECT_EQ(parsed.length, header.size());
  EXPECT_EQ(parsed.source, v4(192, 0, 2, 1, 56324));
}

TEST(ProxyHeader, ReadsAVersionOneTcp6Header) {
  const std::string header = "PROXY TCP6 2001:db8::1 ::1 65535 8000\r\n";
  const auto parsed = parse_proxy_header(header);
  ASSERT_EQ(parsed.status, Status::complete) << parsed.why;
  EXPECT_EQ(parsed.length, header.size());
  ASSERT_TRUE(parsed.source);
  EXPECT_TRUE(parsed.source->v6);
  EXPECT_EQ(parsed.source->bytes[0], 0x20);
  EXPECT_EQ(parsed.source->bytes[1], 0x01);
  EXPECT_EQ(parsed.source->bytes[15], 0x01);
  EXPECT_EQ(parsed.source->port, 65535);
}

TEST(ProxyHeader, VersionOneUnknownIsTheProxysOwnConnection) {
  for (const std::string header :
       {"PROXY UNKNOWN\r\n", "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n", "PROXY UNKNOWN x\r\n"}) {
    const auto parsed = parse_proxy_header(header + "rest");
    ASSERT_EQ(parsed.status, Status::complete) << header << parsed.why;
    EXPECT_EQ(parsed.length, header.size());
    EXPECT_FALSE(parsed.source);
  }
}

std::vector<std::string> whole_headers() {
  return {"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n",
          "PROXY TCP6 2001:db8::1 ::1 65535 8000\r\n",
          "PROXY UNKNOWN\r\n",
          "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n",
          v2(0x21, 0x11, kV2Tcp4Body),
          v2(0x21, 0x21, testsupport::proxy_v2_addresses("2001:db8::7", "::1", 8000, 443)),
          v2(0x20, 0x00, ""),
          v2(0x21, 0x12, kV2Tcp4Body),
          v2(0x21, 0x11, std::string(65535, 'x'))};
}

TEST(ProxyHeader, EveryPrefixOfAHeaderIsIncomplete) {
  for (const std::string& header : whole_headers()) {
    for (std::size_t n = 0; n < header.size(); n += (n < 200 ? 1 : 997)) {
      EXPECT_EQ(parse_proxy_header(header.substr(0, n)).status, Status::incomplete)
          << "prefix of " << n << " bytes of a " << header.size() << "-byte header";
    }
    const auto whole = parse_proxy_header(header);
    EXPECT_EQ(whole.status, Status::complete) << whole.why;
    EXPECT_EQ(whole.length, header.size());
  }
}

std::vector<std::string> broken_headers() {
  return {
      "Hello\n",
      "GET / HTTP/1.1\r\n",
      "proxy TCP4 192.0.2.1 198.51.100.2 56324 443\r\n",
      "PROXY TCP5 192.0.2.1 198.51.100.2 56324 443\r\n",
      "PROXY TCP4 192.0.2.256 198.51.100.2 56324 443\r\n",
      "PROXY TCP4 2001:db8::1 198.51.100.2 56324 443\r\n",
      "PROXY TCP6 192.0.2.1 ::1 56324 443\r\n",
      "PROXY TCP4 192.0.2.1 198.51.100.2 65536 443\r\n",
      "PROXY TCP4 192.0.2.1 198.51.100.2 056324 443\r\n",
      "PROXY TCP4 192.0.2.1 198.51.100.2 +5632 443\r\n",
      "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443 \r\n",
      "PROXY TCP4  192.0.2.1 198.51.100.2 56324 443\r\n",
      "PROXY TCP4 192.0.2.1 198.51.100.2 56324\r\n",
      "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443 7\r\n",
      "PROXY \r\n",
      "PROXY TCP4 192.0.2.1\n",
      "PROXY TCP4 192.0.2.1\r 198.51.100.2",
      "PROXY TCP4 \x1b[2K",
      "PROXY UNKNOWN" + std::string(100, ' '),
      // fuzz_proxy_header's finding: a control byte or a lone '\r' before the line's end, which
      // an incomplete line was refused for, passed once the "\r\n" came.
      "PROXY UNKNOWN \r000\r.\0;\x80\0\r\n\r\n"s,
      "PROXY UNKNOWN x\x01\r\n",
      // fuzz_proxy_header's finding: a '\r' as the 107th byte, whatever follows it.
      "PROXY UNKNOWN " + std::string(92, 'x') + "\r\nHello\n",
      v2(0x11, 0x11, kV2Tcp4Body),
      v2(0x22, 0x11, kV2Tcp4Body),
      v2(0x21, 0x11, kV2Tcp4Body.substr(0, 11)),
      v2(0x21, 0x21, std::string(35, '\0')),
  };
}

TEST(ProxyHeader, RefusesWhatIsNotAHeaderOrABrokenOne) {
  for (const std::string& input : broken_headers()) {
    const auto parsed = parse_proxy_header(input);
    EXPECT_EQ(parsed.status, Status::malformed) << testing::PrintToString(input);
    EXPECT_FALSE(parsed.why.empty());
  }
}

TEST(ProxyHeader, AVersionOneHeaderEndsWithinOneHundredAndSevenBytes) {
  // The longest the protocol allows: UNKNOWN, two full IPv6 addresses, two five-digit ports.
  const std::string longest =
      "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
  ASSERT_EQ(longest.size(), gonet::kMaxProxyHeaderV1);
  EXPECT_EQ(parse_proxy_header(longest).status, Status::complete);
  EXPECT_EQ(parse_proxy_header("PROXY UNKNOWN " + std::string(92, 'x') + "\r\n").status,
            Status::malformed);
}

TEST(ProxyHeader, ReadsVersionTwoTcp4AndSkipsItsTlvs) {
  const std::string header = v2(0x21, 0x11, kV2Tcp4Body);
  const auto parsed = parse_proxy_header(header + "Hello\n");
  ASSERT_EQ(parsed.status, Status::complete) << parsed.why;
  EXPECT_EQ(parsed.length, header.size());
  EXPECT_EQ(parsed.source, v4(192, 0, 2, 1, 56324));
}

TEST(ProxyHeader, ReadsVersionTwoTcp6) {
  const std::string body = testsupport::proxy_v2_addresses("2001:db8::7", "::1", 8000, 443);
  const auto parsed = parse_proxy_header(v2(0x21, 0x21, body));
  ASSERT_EQ(parsed.status, Status::complete) << parsed.why;
  ASSERT_TRUE(parsed.source);
  EXPECT_TRUE(parsed.source->v6);
  EXPECT_EQ(parsed.source->bytes[0], 0x20);
  EXPECT_EQ(parsed.source->bytes[3], 0xb8);
  EXPECT_EQ(parsed.source->bytes[15], 0x07);
  EXPECT_EQ(parsed.source->port, 8000);
}

TEST(ProxyHeader, VersionTwoLocalAndFamiliesATcpServerCannotNameAreTheProxysOwn) {
  for (const auto& [command, family] : std::vector<std::pair<unsigned char, unsigned char>>{
           {0x20, 0x11}, {0x20, 0x00}, {0x21, 0x00}, {0x21, 0x12}, {0x21, 0x31}}) {
    const std::string header = v2(command, family, kV2Tcp4Body);
    const auto parsed = parse_proxy_header(header);
    ASSERT_EQ(parsed.status, Status::complete) << int(command) << " " << int(family);
    EXPECT_EQ(parsed.length, header.size());
    EXPECT_FALSE(parsed.source);
  }
}

// Issue 30: a header is parsed once however it arrives.
gonet::ProxyHeader fed_in_pieces(const std::string& input, std::size_t piece,
                                 std::size_t* taken = nullptr) {
  gonet::ProxyHeaderParser parser;
  std::size_t used = 0;
  for (std::size_t at = 0; at < input.size(); at += piece) {
    const std::string_view next = std::string_view(input).substr(at, piece);
    const std::size_t n = parser.feed(next);
    used += n;
    if (parser.header().status != Status::incomplete) break;
    EXPECT_EQ(n, next.size()) << "an incomplete header left bytes it was given";
  }
  if (taken) *taken = used;
  return parser.header();
}

TEST(ProxyHeaderParser, FedAByteAtATimeSaysWhatTheWholeParseSays) {
  std::vector<std::string> inputs = broken_headers();
  for (const std::string& header : whole_headers()) {
    inputs.push_back(header);
    inputs.push_back(header + "Hello\n");
    inputs.push_back(header.substr(0, header.size() - 1));
  }
  for (const std::string& input : inputs) {
    const auto whole = parse_proxy_header(input);
    for (const std::size_t piece : {1, 2, 3, 7, 512}) {
      std::size_t taken = 0;
      const auto fed = fed_in_pieces(input, piece, &taken);
      const std::string what =
          testing::PrintToString(input.substr(0, 60)) + " in pieces of " + std::to_string(piece);
      EXPECT_EQ(fed.status, whole.status) << what;
      EXPECT_EQ(fed.why, whole.why) << what;
      if (whole.status != Status::complete) continue;
      EXPECT_EQ(fed.length, whole.length) << what;
      EXPECT_EQ(fed.source, whole.source) << what;
      EXPECT_EQ(taken, whole.length) << what << ": not one byte past the header";
    }
  }
}

TEST(ProxyHeaderParser, KeepsAVersionTwoHeadersAddressesAndNoMoreHoweverLong) {
  // 64 KiB a byte at a time: each byte taken once, and what it holds stays at 16 bytes and 36 of
  // addresses, so no piece costs more than the one before it.
  const std::string header = v2(0x21, 0x21,
                                testsupport::proxy_v2_addresses("2001:db8::7", "::1", 8000, 443) +
                                    std::string(65535 - 36, 't'));
  gonet::ProxyHeaderParser parser;
  std::size_t most_kept = 0;
  for (std::size_t at = 0; at < header.size(); ++at) {
    ASSERT_EQ(parser.header().status, Status::incomplete) << at;
    ASSERT_EQ(parser.feed(std::string_view(header).substr(at, 1)), 1u) << at;
    most_kept = std::max(most_kept, parser.kept());
  }
  ASSERT_EQ(parser.header().status, Status::complete) << parser.header().why;
  EXPECT_TRUE(parser.header().source && parser.header().source->port == 8000);
  EXPECT_EQ(most_kept, 16u + 36u);
  EXPECT_EQ(parser.feed("after"), 0u);
}

TEST(ProxyHeaderParser, SaysHowManyBytesAreCertainlyTheHeaders) {
  // Reading only what certain() allows never takes a session's byte: a version 2 header's whole
  // length once its 16 bytes are known, a version 1 line's first 15 bytes, then nothing unlooked.
  const std::string v2_header = v2(0x21, 0x11, kV2Tcp4Body);
  gonet::ProxyHeaderParser two;
  EXPECT_EQ(two.certain(), 15u);
  EXPECT_EQ(two.feed(std::string_view(v2_header).substr(0, 15)), 15u);
  EXPECT_EQ(two.certain(), 1u);
  EXPECT_EQ(two.feed(std::string_view(v2_header).substr(15, 1)), 1u);
  EXPECT_EQ(two.certain(), v2_header.size() - 16);
  EXPECT_EQ(two.feed(std::string_view(v2_header).substr(16)), v2_header.size() - 16);
  EXPECT_EQ(two.header().status, Status::complete);
  EXPECT_EQ(two.certain(), 0u);

  gonet::ProxyHeaderParser one;
  EXPECT_EQ(one.feed("PROXY UNKNOWN\r"), 14u);
  EXPECT_EQ(one.certain(), 1u);
  EXPECT_EQ(one.feed("\nHello"), 1u);
  EXPECT_EQ(one.header().status, Status::complete);
  gonet::ProxyHeaderParser longer;
  EXPECT_EQ(longer.feed("PROXY TCP4 192.0"), 16u);
  EXPECT_EQ(longer.certain(), 0u);
  EXPECT_LE(longer.kept(), gonet::kMaxProxyHeaderV1);
}

}  // namespace
