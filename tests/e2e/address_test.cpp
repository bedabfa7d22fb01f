// Addresses as users write them (issue 10): an IPv6 literal with or without brackets, for servers
// and clients; a port named by its service for clients, as nc and getaddrinfo take it; and the
// one line each says when a name does not resolve.
#include <netdb.h>
#include <netinet/in.h>

#include <optional>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "tests/e2e/programs.hpp"

namespace e2e {
namespace {

const std::regex kTime(R"(\d\d:\d\d:\d\d)");

// netcat1 against a clock: the first line it prints, or why there was none.
std::string first_line_of_netcat1(const std::vector<std::string>& args) {
  auto netcat = start_program("netcat1", args);
  const auto line = netcat.read_stdout_line(3s);
  netcat.signal(SIGTERM);
  netcat.wait_exit(2s);
  expect_no_sanitizer_report(netcat);
  if (!line) return "(nothing; stderr: " + netcat.stderr_text() + ")";
  return *line;
}

// clockwall -once against one clock: its exit status and stderr.
void expect_clockwall_once_reads(const std::string& clock) {
  auto wall = start_program("clockwall", {"-once", "-timeout", "3s", clock});
  EXPECT_EQ(wall.wait_exit(5s), 0) << clock << ": " << wall.stderr_text();
  EXPECT_TRUE(std::regex_search(wall.read_stdout_until_eof(1s), kTime)) << clock;
}

TEST(Addresses, ServersListenOnIpv6LoopbackWrittenWithOrWithoutBrackets) {
  if (!has_ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback (::1) on this machine";
  for (const char* program : {"clock2", "reverb2"}) {
    for (const char* host : {"::1", "[::1]"}) {
      auto server = start_server(program, {"-host", host});
      EXPECT_NE(server.process.stderr_text().find("listening on [::1]:"), std::string::npos)
          << program << " -host " << host << ": " << server.process.stderr_text();
      auto client = TcpClient::connect(server.port, "::1");
      if (std::string(program) == "reverb2") client.send("hi\n");
      EXPECT_TRUE(client.read_line(2s)) << program << " -host " << host;
      expect_clean_stop(server.process);
    }
  }
}

TEST(Addresses, ClientsDialIpv6LoopbackWrittenWithOrWithoutBrackets) {
  if (!has_ipv6_loopback()) GTEST_SKIP() << "no IPv6 loopback (::1) on this machine";
  auto clock = start_server("clock2", {"-host", "::1"});
  const std::string port = std::to_string(clock.port);
  for (const std::vector<std::string>& args : {std::vector<std::string>{"[::1]:" + port},
                                               {"::1", port},
                                               {"[::1]", port},
                                               {"-host", "::1", "-port", port},
                                               {"-host", "[::1]", "-port", port},
                                               {"-host=[::1]", "-port=" + port}}) {
    EXPECT_TRUE(std::regex_match(first_line_of_netcat1(args), kTime))
        << testing::PrintToString(args);
  }
  expect_clockwall_once_reads("Here=[::1]:" + port);
  expect_clean_stop(clock.process);
}

// A clock on a port that /etc/services names, and that name: the first free one of a few.
struct NamedClock {
  Server server;
  std::string service;
};
std::optional<NamedClock> clock_on_a_named_port() {
  std::set<int> tried;
  ::setservent(1);
  for (const servent* entry; tried.size() < 5 && (entry = ::getservent()) != nullptr;) {
    const int port = ntohs(static_cast<std::uint16_t>(entry->s_port));
    // Below the kernel's ephemeral ports, where the other tests' servers are.
    if (std::string(entry->s_proto) != "tcp" || port < 1024 || port >= 32768) continue;
    if (!tried.insert(port).second) continue;
    auto clock = start_program("clock2", {"-host", "127.0.0.1", "-port", std::to_string(port)});
    try {
      const auto listening = clock.wait_for_listening();
      ::endservent();
      return NamedClock{Server{std::move(clock), listening}, entry->s_name};
    } catch (const std::runtime_error&) {
      // taken: try the next
    }
  }
  ::endservent();
  return std::nullopt;
}

TEST(Addresses, ClientsDialAPortNamedByItsService) {
  auto named = clock_on_a_named_port();
  if (!named) GTEST_SKIP() << "no service port of /etc/services free here (is netbase installed?)";
  const std::string& service = named->service;
  for (const std::vector<std::string>& args : {std::vector<std::string>{"127.0.0.1:" + service},
                                               {"127.0.0.1", service},
                                               {"-host", "127.0.0.1", "-port", service}}) {
    EXPECT_TRUE(std::regex_match(first_line_of_netcat1(args), kTime))
        << testing::PrintToString(args);
  }
  expect_clockwall_once_reads("Named=127.0.0.1:" + service);
  expect_clean_stop(named->server.process);
}

// nc says `port number invalid` and exits 1; so do we, at the lookup, which names the service.
TEST(Addresses, AnUnknownServiceIsALookupErrorThatExitsOne) {
  for (const std::string program : {"netcat1", "netcat2", "netcat3"}) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"localhost:nosuchservice"},
          {"localhost", "nosuchservice"},
          {"-port", "nosuchservice"}}) {
      auto netcat = start_program(program, args);
      EXPECT_EQ(netcat.wait_exit(3s), 1) << program << " " << testing::PrintToString(args);
      EXPECT_EQ(netcat.stderr_text(),
                program + ": lookup localhost:nosuchservice: service not found\n");
    }
  }
}

// RFC 6761: .invalid never resolves, and the lookup never leaves the machine.
TEST(Addresses, AHostThatDoesNotResolveIsOneLineThatExitsOne) {
  for (const std::string program : {"netcat1", "netcat2", "netcat3"}) {
    auto netcat = start_program(program, {"nosuch.invalid:19999"});
    EXPECT_EQ(netcat.wait_exit(3s), 1) << program;
    EXPECT_EQ(netcat.stderr_text(), program + ": lookup nosuch.invalid: host not found\n");
  }
}

TEST(Addresses, AServersPortStaysANumber) {
  for (const char* program : {"clock2", "reverb2"}) {
    for (const char* port : {"http", "abc", "70000"}) {
      auto server = start_program(program, {"-port", port});
      EXPECT_EQ(server.wait_exit(3s), 2) << program << " -port " << port;
      EXPECT_EQ(server.stderr_text(), std::string(program) + ": invalid value \"" + port +
                                          "\" for flag -port: want a port number from 0 to "
                                          "65535; see --help\n");
    }
  }
}

}  // namespace
}  // namespace e2e
