// The TLS flags of the clients (SPEC "TLS in the clients"): what each sets, what implies -tls,
// and the combinations that are usage errors.
#include <gtest/gtest.h>

#include "clients/clockwall/clockwall_options.hpp"
#include "common/cli/dial_flags.hpp"
#include "tests/unit/test_programs.hpp"

namespace gonet {
namespace {

using Args = std::vector<std::string>;
using test::kClockwall;
using test::kNetcat1;

TlsOptions netcat_tls(Args args) {
  args.push_back("localhost:8443");
  return parse_dial_options(kNetcat1, args).tls;
}

TEST(TlsFlags, AreOffUnlessGiven) {
  EXPECT_EQ(netcat_tls({}), TlsOptions{});
  EXPECT_FALSE(netcat_tls({}).enabled);
}

TEST(TlsFlags, TlsAloneVerifiesAgainstTheSystemAndTheHostDialled) {
  const auto tls = netcat_tls({"-tls"});
  EXPECT_TRUE(tls.enabled);
  EXPECT_EQ(tls.ca_file, "");
  EXPECT_EQ(tls.name, "");
  EXPECT_FALSE(tls.insecure);
}

TEST(TlsFlags, EachOfTheOthersImpliesTls) {
  for (const Args& args : {Args{"-tls-ca", "ca.pem"}, Args{"-tls-name", "example.org"},
                           Args{"-tls-cert", "me.pem"}, Args{"-tls-insecure"}}) {
    EXPECT_TRUE(netcat_tls(args).enabled) << args[0];
  }
}

TEST(TlsFlags, ParsesEveryFlagInEverySyntax) {
  const auto tls = netcat_tls(
      {"-tls-ca=ca.pem", "--tls-name", "example.org", "-tls-cert", "me.crt", "--tls-key=me.key"});
  EXPECT_EQ(tls, (TlsOptions{true, "ca.pem", "example.org", "me.crt", "me.key", false}));
  EXPECT_TRUE(netcat_tls({"-tls-insecure", "-tls-name", "example.org"}).insecure);
}

TEST(TlsFlags, ClockwallTakesThemForEveryClock) {
  const auto wall = parse_clockwall_options(kClockwall, {"-tls-ca", "ca.pem", "A=localhost:8401"});
  EXPECT_EQ(wall.tls, (TlsOptions{true, "ca.pem", "", "", "", false}));
  EXPECT_FALSE(parse_clockwall_options(kClockwall, {"A=localhost:8401"}).tls.enabled);
}

TEST(TlsFlags, RejectsWhatCannotBeMeant) {
  for (const Args& args : {
           Args{"-tls-key", "me.key"},                   // a key for no certificate
           Args{"-tls-insecure", "-tls-ca", "ca.pem"},   // trust a CA and nothing at once
           Args{"-tls-ca", ""}, Args{"-tls-name="},      // empty values
           Args{"-tls-cert", "", "-tls-key", "me.key"},  //
           Args{"-tls=yes"},                             // a switch with a value
       }) {
    EXPECT_THROW(netcat_tls(args), UsageError) << ::testing::PrintToString(args);
  }
  EXPECT_THROW(parse_dial_options(kNetcat1, {"localhost:8443", "-tls-ca"}), UsageError);
}

TEST(TlsFlags, UsageErrorsSayWhy) {
  try {
    netcat_tls({"-tls-key", "me.key"});
    FAIL() << "no usage error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "-tls-key needs -tls-cert, the certificate it is the key of");
  }
  try {
    netcat_tls({"-tls-name", ""});
    FAIL() << "no usage error";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "invalid value \"\" for flag -tls-name: want a server name");
  }
}

}  // namespace
}  // namespace gonet
