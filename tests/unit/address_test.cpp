#include "common/text/address.hpp"

#include <gtest/gtest.h>

namespace gonet {
namespace {

TEST(Address, SplitsHostAndPort) {
  EXPECT_EQ(parse_host_port("localhost:8000"), (Endpoint{"localhost", 8000}));
  EXPECT_EQ(parse_host_port("127.0.0.1:1"), (Endpoint{"127.0.0.1", 1}));
  EXPECT_EQ(parse_host_port("example.org:65535"), (Endpoint{"example.org", 65535}));
}

TEST(Address, TakesBracketedIpv6Literals) {
  EXPECT_EQ(parse_host_port("[::1]:8000"), (Endpoint{"::1", 8000}));
  EXPECT_EQ(parse_host_port("[fe80::1%lo]:9"), (Endpoint{"fe80::1%lo", 9}));
}

TEST(Address, RejectsWhatIsNotHostColonPort) {
  for (const char* bad : {"localhost", "localhost:", ":8000", "localhost:0", "localhost:65536",
                          "localhost:8o", "localhost:-http", "::1:8000", "[::1]8000", "[::1]",
                          "[]:80", "host:-1", "host:+80", "host:0x1f", "host: 80"}) {
    EXPECT_EQ(parse_host_port(bad), std::nullopt) << bad;
  }
}

TEST(Address, TakesAServiceNameForThePort) {
  EXPECT_EQ(parse_host_port("localhost:http"), (Endpoint{"localhost", 0, "http"}));
  EXPECT_EQ(parse_host_port("[::1]:http-alt"), (Endpoint{"::1", 0, "http-alt"}));
  EXPECT_EQ(dial_endpoint("h", "kerberos_master"), (Endpoint{"h", 0, "kerberos_master"}));
  EXPECT_EQ(dial_endpoint("h", "8000"), (Endpoint{"h", 8000}));
  for (const char* bad : {"", "8o", "-http", "+80", " http", "http ", "ht tp", "a/b", "\xff", "0",
                          "abcdefghijklmnopqrstuvwxyzabcdefg"}) {
    EXPECT_EQ(dial_endpoint("h", bad), std::nullopt) << bad;
  }
}

TEST(Address, TakesHostsWithOrWithoutBrackets) {
  EXPECT_EQ(parse_host("::1"), "::1");
  EXPECT_EQ(parse_host("[::1]"), "::1");
  EXPECT_EQ(parse_host("localhost"), "localhost");
  EXPECT_EQ(parse_host(""), "");
  EXPECT_EQ(dial_endpoint("[::1]", "80"), (Endpoint{"::1", 80}));
  for (const char* bad : {"[", "]", "[]", "[::1", "::1]", "[[::1]]", "a[b]", "[::1]:80"}) {
    EXPECT_EQ(parse_host(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(dial_endpoint("", "80"), std::nullopt);
}

TEST(Address, KnowsTheInvalidDomainThatNeverResolves) {
  for (const char* name : {"nosuch.invalid", "invalid", "a.b.INVALID", "nosuch.invalid."}) {
    EXPECT_TRUE(is_in_invalid_domain(name)) << name;
  }
  for (const char* name : {"localhost", "notinvalid", "invalid.example", "nosuch.invalid..x", ""}) {
    EXPECT_FALSE(is_in_invalid_domain(name)) << name;
  }
}

TEST(Address, ParsesPortsWithinRange) {
  EXPECT_EQ(parse_port("0"), 0);
  EXPECT_EQ(parse_port("8000"), 8000);
  EXPECT_EQ(parse_port("65535"), 65535);
  EXPECT_EQ(parse_port("0", 1), std::nullopt);
  for (const char* bad : {"", "65536", "70000", "-1", "abc", "0x1f", "8000 ", "123456"}) {
    EXPECT_EQ(parse_port(bad), std::nullopt) << bad;
  }
}

TEST(Address, SaysWhenAPortIsANumberOutOfRange) {
  for (const char* out : {"localhost:0", "localhost:65536", "[::1]:99999", "h:000000"}) {
    EXPECT_TRUE(has_port_out_of_range(out)) << out;
  }
  for (const char* other : {"localhost:8000", "localhost:http", "localhost:", "localhost",
                            "localhost:8o00", "localhost:-1"}) {
    EXPECT_FALSE(has_port_out_of_range(other)) << other;
  }
}

TEST(Address, PrintsIpv6InBrackets) {
  EXPECT_EQ(to_string(Endpoint{"localhost", 8000}), "localhost:8000");
  EXPECT_EQ(to_string(Endpoint{"::1", 8000}), "[::1]:8000");
  EXPECT_EQ(to_string(Endpoint{"::1", 0, "http"}), "[::1]:http");
}

}  // namespace
}  // namespace gonet
