#include <gtest/gtest.h>

#include "clients/clockwall/clockwall_options.hpp"
#include "common/cli/dial_flags.hpp"
#include "common/cli/go_style.hpp"
#include "servers/clock/clock_options.hpp"
#include "servers/reverb/reverb_options.hpp"
#include "tests/unit/test_programs.hpp"

namespace gonet {
namespace {

using namespace std::chrono_literals;
using Args = std::vector<std::string>;

using test::kClock1;
using test::kClock2;
using test::kClockwall;
using test::kNetcat1;

TEST(Flags, RewritesGoStyleFlagsForCxxopts) {
  EXPECT_EQ(go_style({"-port", "8010", "-port=8010", "--port", "-h", "-1", "x", "--", "-port"}),
            (Args{"--port", "8010", "--port=8010", "--port", "-h", "-1", "x", "--", "-port"}));
}

TEST(Flags, AcceptsAllFourSyntaxes) {
  for (const Args& args :
       {Args{"-port", "8010"}, Args{"-port=8010"}, Args{"--port", "8010"}, Args{"--port=8010"}}) {
    EXPECT_EQ(parse_clock_options(kClock2, args).serve.listen.port, 8010) << args[0];
  }
}

TEST(Flags, HasTheSpecDefaults) {
  const auto clock = parse_clock_options(kClock2, {});
  EXPECT_EQ(clock.serve.listen, (Endpoint{"localhost", 8000}));
  EXPECT_EQ(clock.serve.max_conns, 0u);
  EXPECT_EQ(clock.serve.max_conns_per_host, 0u);
  EXPECT_EQ(clock.serve.max_accept_rate, 0u);
  EXPECT_EQ(clock.serve.threads, 1u);
  EXPECT_EQ(clock.serve.write_timeout, 30s);
  EXPECT_EQ(clock.serve.log_level, spdlog::level::info);
  EXPECT_EQ(clock.format, "%H:%M:%S");
  EXPECT_EQ(clock.zone, "");
  EXPECT_EQ(parse_dial_options(kNetcat1, {}).server, (Endpoint{"localhost", 8000}));
}

TEST(Flags, ParsesEveryServerFlag) {
  const auto clock = parse_clock_options(
      kClock2, {"-host", "::", "-port", "0", "-max-conns=10", "-max-conns-per-host", "3",
                "--threads", "2", "-max-accept-rate", "50", "-log-level", "debug", "-tz",
                "Asia/Tokyo", "-format", "%T %Z", "-write-timeout", "1.5s"});
  EXPECT_EQ(clock.serve.listen, (Endpoint{"::", 0}));
  EXPECT_EQ(clock.serve.max_conns, 10u);
  EXPECT_EQ(clock.serve.max_conns_per_host, 3u);
  EXPECT_EQ(clock.serve.max_accept_rate, 50u);
  EXPECT_EQ(clock.serve.threads, 2u);
  EXPECT_EQ(clock.serve.log_level, spdlog::level::debug);
  EXPECT_EQ(clock.serve.write_timeout, 1500ms);
  EXPECT_EQ(clock.zone, "Asia/Tokyo");
  EXPECT_EQ(clock.format, "%T %Z");
}

TEST(Flags, RejectsBadValuesAsUsageErrors) {
  for (const Args& args :
       {Args{"-port", "abc"}, Args{"-port", "70000"}, Args{"-port", "-1"}, Args{"-port", "0x1f"},
        Args{"-port"}, Args{"-nosuch"}, Args{"-max-conns", "-3"}, Args{"-threads", "0"},
        Args{"-max-conns-per-host", "x"}, Args{"-max-conns-per-host", "-1"},
        Args{"-max-accept-rate", "fast"}, Args{"-max-accept-rate", "-1"},
        Args{"-log-level", "loud"}, Args{"-tz", "Nowhere/Bogus"}, Args{"-write-timeout", "10"},
        Args{"-write-timeout", "-1s"}, Args{"-write-timeout", "0"}, Args{"stray"}}) {
    EXPECT_THROW(parse_clock_options(kClock2, args), UsageError) << args[0];
  }
}

TEST(Flags, UsageErrorsNameTheFlagAndValue) {
  try {
    parse_clock_options(kClock2, {"-port", "70000"});
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()),
              "invalid value \"70000\" for flag -port: want a port number from 0 to 65535");
  }
  try {
    parse_clock_options(kClock2, {"-nosuch"});
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'nosuch'"), std::string::npos) << e.what();
  }
}

TEST(Flags, SequentialServerHasNoThreadsFlag) {
  EXPECT_THROW(parse_clock_options(kClock1, {"-threads", "2"}), UsageError);
  EXPECT_EQ(parse_clock_options(kClock1, {}).serve.threads, 1u);
}

TEST(Flags, HelpAndVersionExitEarlyWithText) {
  for (const Args& args : {Args{"-h"}, Args{"-help"}, Args{"--help"}}) {
    try {
      parse_clock_options(kClock2, args);
      FAIL() << "no help for " << args[0];
    } catch (const EarlyExit& help) {
      EXPECT_NE(help.text.find("-port"), std::string::npos);
      EXPECT_NE(help.text.find("--tz"), std::string::npos);
    }
  }
  try {
    parse_dial_options(kNetcat1, {"--version"});
    FAIL() << "no version";
  } catch (const EarlyExit& version) {
    EXPECT_EQ(version.text.rfind("netcat1 ", 0), 0u);
  }
}

TEST(Flags, TakesTheServerInEveryClientForm) {
  EXPECT_EQ(parse_dial_options(kNetcat1, {"example.org:9"}).server, (Endpoint{"example.org", 9}));
  EXPECT_EQ(parse_dial_options(kNetcat1, {"example.org", "9"}).server,
            (Endpoint{"example.org", 9}));
  EXPECT_EQ(parse_dial_options(kNetcat1, {"[::1]:8020"}).server, (Endpoint{"::1", 8020}));
  EXPECT_EQ(parse_dial_options(kNetcat1, {"-host", "h", "-port", "9"}).server, (Endpoint{"h", 9}));
  EXPECT_EQ(parse_dial_options(kNetcat1, {"-port=9"}).server, (Endpoint{"localhost", 9}));
}

// Issue 10: addresses as users write them. An IPv6 literal with or without its brackets, and a
// port named by its service, as nc and getaddrinfo take it (looked up when dialled).
TEST(Flags, TakesIpv6HostsWithOrWithoutBracketsInEveryClientForm) {
  for (const Args& args :
       {Args{"-host", "::1", "-port", "8020"}, Args{"-host", "[::1]", "-port", "8020"},
        Args{"-host=[::1]", "-port=8020"}, Args{"::1", "8020"}, Args{"[::1]", "8020"},
        Args{"[::1]:8020"}}) {
    EXPECT_EQ(parse_dial_options(kNetcat1, args).server, (Endpoint{"::1", 8020})) << args[0];
  }
}

TEST(Flags, TakesAServiceNameForAClientsPort) {
  const Endpoint http{"localhost", 0, "http"};
  EXPECT_EQ(parse_dial_options(kNetcat1, {"localhost", "http"}).server, http);
  EXPECT_EQ(parse_dial_options(kNetcat1, {"localhost:http"}).server, http);
  EXPECT_EQ(parse_dial_options(kNetcat1, {"-port", "http"}).server, http);
  EXPECT_EQ(parse_dial_options(kNetcat1, {"[::1]:http-alt"}).server,
            (Endpoint{"::1", 0, "http-alt"}));
  // Not a service a machine knows: still a name, and the lookup says so when it is dialled.
  EXPECT_EQ(parse_dial_options(kNetcat1, {"h", "p"}).server, (Endpoint{"h", 0, "p"}));
  EXPECT_EQ(parse_clockwall_options(kClockwall, {"Web=localhost:http"}).clocks,
            (std::vector<WallClock>{{"Web", http}}));
}

TEST(Flags, KeepsAServersPortANumber) {
  for (const Args& args : {Args{"-port", "http"}, Args{"-port", "abc"}, Args{"-port", "70000"}}) {
    EXPECT_THROW(parse_clock_options(kClock2, args), UsageError) << args[1];
  }
}

TEST(Flags, TakesAServersIpv6HostWithOrWithoutBrackets) {
  EXPECT_EQ(parse_clock_options(kClock2, {"-host", "::1"}).serve.listen.host, "::1");
  EXPECT_EQ(parse_clock_options(kClock2, {"-host", "[::1]"}).serve.listen.host, "::1");
  EXPECT_EQ(parse_clock_options(kClock2, {"-host=[::]"}).serve.listen.host, "::");
  for (const char* bad : {"[::1", "::1]", "[]", "[[::1]]", "[::1]:80"}) {
    EXPECT_THROW(parse_clock_options(kClock2, {"-host", bad}), UsageError) << bad;
  }
}

TEST(Flags, RejectsBadClientServers) {
  for (const Args& args :
       {Args{"localhost"}, Args{"localhost:0"}, Args{"h", "70000"}, Args{"h", "8o00"},
        Args{"h", "-1"}, Args{"a", "1", "b"}, Args{"h:1", "-port", "2"}, Args{"-port", "0"},
        Args{"::1:80"}, Args{"[::1", "80"}, Args{"-host", "[::1"}, Args{"-host", ""},
        Args{"[]", "80"}, Args{"h", "a b"}, Args{"h", "a:b"}}) {
    EXPECT_THROW(parse_dial_options(kNetcat1, args), UsageError) << args[0];
  }
}

TEST(Flags, TakesOneNameEqualsHostPortPerClock) {
  const auto wall = parse_clockwall_options(
      kClockwall, {"NewYork=localhost:8010", "-once", "Tokyo=[::1]:8020", "-timeout", "2s"});
  EXPECT_EQ(wall.clocks,
            (std::vector<WallClock>{{"NewYork", {"localhost", 8010}}, {"Tokyo", {"::1", 8020}}}));
  EXPECT_TRUE(wall.once);
  EXPECT_EQ(wall.timeout, 2s);
  const auto plain = parse_clockwall_options(kClockwall, {"A=h:1"});
  EXPECT_FALSE(plain.once);
  EXPECT_EQ(plain.timeout, 5s);
}

TEST(Flags, RejectsBadClocks) {
  for (const Args& args :
       {Args{}, Args{"London"}, Args{"X=host"}, Args{"X=host:99999"}, Args{"=localhost:8000"},
        Args{"X=host:0"}, Args{"A=h:1", "-timeout", "x"}}) {
    EXPECT_THROW(parse_clockwall_options(kClockwall, args), UsageError)
        << (args.empty() ? "(none)" : args[0]);
  }
}

TEST(Flags, ParsesEveryReverbFlag) {
  const Program reverb{"reverb2", "test"};
  const auto defaults = parse_reverb_options(reverb, {});
  EXPECT_EQ(defaults.delay, 1s);
  EXPECT_EQ(defaults.idle_timeout, 0s);
  EXPECT_EQ(defaults.max_line, 65536u);
  const auto options =
      parse_reverb_options(reverb, {"-delay", "250ms", "-idle-timeout=1m", "--max-line", "100"});
  EXPECT_EQ(options.delay, 250ms);
  EXPECT_EQ(options.idle_timeout, 1min);
  EXPECT_EQ(options.max_line, 100u);
  for (const Args& args : {Args{"-delay", "abc"}, Args{"-max-line", "0"},
                           Args{"-idle-timeout", "-1s"}, Args{"-delay", "1"}}) {
    EXPECT_THROW(parse_reverb_options(reverb, args), UsageError) << args[0];
  }
}

}  // namespace
}  // namespace gonet
