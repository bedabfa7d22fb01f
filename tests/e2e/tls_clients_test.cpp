// TLS in the clients (SPEC "TLS in the clients"): netcat1, netcat2, netcat3 and clockwall with
// -tls through Debian's HAProxy to our servers, and beside it OpenSSL's s_server and socat's
// OPENSSL-LISTEN as the other TLS servers they meet. Certificates are made per test
// (tls_peers.hpp).
#include <csignal>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e/test_servers.hpp"
#include "tests/e2e/tls_peers.hpp"

namespace e2e::tls_clients {
namespace {

using testsupport::StdinMode;

const std::string kEchoes = echo_text("HELLO?", "Hello?", "hello?");

std::string local(std::uint16_t port) { return "localhost:" + std::to_string(port); }

// The program's whole stderr is one line, `line`, and it failed with status 1.
void expect_failed_with(ChildProcess& client, const std::string& line) {
  EXPECT_EQ(client.wait_exit(10s), 1);
  EXPECT_EQ(client.stderr_text(), line + "\n");
  expect_no_sanitizer_report(client);
}

class TlsClients : public HaproxyInFront {
 protected:
  std::string ca() const { return certificates_.file("ca.pem"); }
};

// The SPEC's own example, many times over, since the echoes and netcat3's close_notify meet in
// whichever order the loop and HAProxy make (reverb2's delay is 1 ms here).
TEST_F(TlsClients, Netcat3PrintsEveryEchoThroughHaproxyAfterItsCloseNotify) {
  for (int round = 0; round < 10; ++round) {
    auto netcat = start_client("netcat3", {"-tls-ca", ca(), local(reverb_tls_)});
    netcat.write_stdin("Hello?\n");
    netcat.close_stdin();
    ASSERT_EQ(netcat.read_stdout_until_eof(10s), kEchoes)
        << "round " << round << ": " << netcat.stderr_text();
    ASSERT_EQ(netcat.wait_exit(5s), 0) << netcat.stderr_text();
    EXPECT_EQ(netcat.stderr_text(), "netcat3: done\n");
    expect_no_sanitizer_report(netcat);
  }
}

TEST_F(TlsClients, AWrongCaFailsTheHandshakeInOneLine) {
  auto netcat =
      start_client("netcat3", {"-tls-ca", certificates_.file("other-ca.pem"), local(reverb_tls_)});
  EXPECT_EQ(netcat.read_stdout_until_eof(10s), "");
  expect_failed_with(netcat, "netcat3: tls handshake with " + local(reverb_tls_) +
                                 ": certificate verify failed (unable to get local issuer "
                                 "certificate)");
}

TEST_F(TlsClients, TheSystemsCasDoNotTrustAPrivateCa) {
  auto netcat = start_client("netcat1", {"-tls", local(clock_tls_)}, StdinMode::kDevNull);
  expect_failed_with(netcat, "netcat1: tls handshake with " + local(clock_tls_) +
                                 ": certificate verify failed (unable to get local issuer "
                                 "certificate)");
}

TEST_F(TlsClients, AWrongNameFailsTheHandshakeInOneLine) {
  auto netcat = start_client(
      "netcat3", {"-tls-ca", ca(), "-tls-name", "chat.example.org", local(reverb_tls_)});
  expect_failed_with(netcat, "netcat3: tls handshake with " + local(reverb_tls_) +
                                 ": certificate verify failed (hostname mismatch)");
}

// A certificate naming its host in its common name alone, with no subject alternative name, is
// refused, as Go (since 1.15) and browsers refuse it: names are checked against SANs only.
TEST_F(TlsClients, ACertificateWithTheNameOnlyInItsCommonNameIsRefused) {
  for (const std::string program : {"netcat1", "netcat2", "netcat3", "clockwall"}) {
    const std::uint16_t port = unused_port();
    auto server = ChildProcess::start({"openssl", "s_server", "-quiet", "-accept",
                                       "127.0.0.1:" + std::to_string(port), "-naccept", "1",
                                       "-cert", certificates_.file("cn-only.crt"), "-key",
                                       certificates_.file("cn-only.key")});
    ASSERT_TRUE(eventually([&] { return listening_on(port); }, 5s)) << server.stderr_text();
    if (program != "clockwall") {
      auto client = start_client(program, {"-tls-ca", ca(), local(port)}, StdinMode::kDevNull);
      expect_failed_with(client, program + ": tls handshake with " + local(port) +
                                     ": certificate verify failed (hostname mismatch)");
      continue;
    }
    // clockwall goes on, the clock down, and says why once.
    auto wall =
        start_client("clockwall", {"-tls-ca", ca(), "Here=" + local(port)}, StdinMode::kDevNull);
    const std::string why = "Here (" + local(port) + "): tls handshake with " + local(port) +
                            ": certificate verify failed (hostname mismatch)";
    EXPECT_TRUE(eventually([&] { return wall.stderr_text().find(why) != std::string::npos; }, 10s))
        << wall.stderr_text();
    EXPECT_EQ(wall.read_stdout_line(5s), "Here");
    EXPECT_EQ(wall.read_stdout_line(5s), "down");
    wall.signal(SIGTERM);
    wall.wait_exit(5s);
    expect_no_sanitizer_report(wall);
  }
}

// An address is checked against the certificate's IP entries (it is never sent as SNI).
TEST_F(TlsClients, AnAddressIsVerifiedAgainstTheCertificatesAddresses) {
  const std::string address = "127.0.0.1:" + std::to_string(clock_tls_);
  auto right = start_client("netcat1", {"-tls-ca", ca(), address}, StdinMode::kDevNull);
  const auto tick = right.read_stdout_line(10s);
  ASSERT_TRUE(tick) << right.stderr_text();
  EXPECT_EQ(tick->size(), 8u) << *tick;

  auto wrong = start_client("netcat1", {"-tls-ca", ca(), "-tls-name", "127.0.0.2", address},
                            StdinMode::kDevNull);
  expect_failed_with(wrong, "netcat1: tls handshake with " + address +
                                ": certificate verify failed (IP address mismatch)");
}

// TLS 1.3 ends the handshake before the server judges the client's certificate, so the refusal
// comes as an alert at the first read (or a reset at a write): one line either way.
TEST_F(TlsClients, NoClientCertificateOnTheVerifyingFrontendFailsInOneLine) {
  auto without = start_client("netcat3", {"-tls-ca", ca(), local(chat_verified_)});
  without.write_stdin("let me in\n");
  EXPECT_EQ(without.read_stdout_until_eof(10s), "");
  EXPECT_EQ(without.wait_exit(10s), 1);
  const std::string error = without.stderr_text();
  EXPECT_TRUE(error.starts_with("netcat3: ") && error.find('\n') == error.size() - 1) << error;
  expect_no_sanitizer_report(without);

  auto with = start_client(
      "netcat3", {"-tls-ca", ca(), "-tls-cert", certificates_.file("client.crt"), "-tls-key",
                  certificates_.file("client.key"), local(chat_verified_)});
  const auto greeting = with.read_stdout_line(10s);
  ASSERT_TRUE(greeting) << with.stderr_text();
  EXPECT_TRUE(greeting->starts_with("You are 127.0.0.1:")) << *greeting;
}

TEST_F(TlsClients, ClockwallAndNetcat1ReadClockTwoThroughHaproxy) {
  auto netcat = start_client("netcat1", {"-tls-ca", ca(), local(clock_tls_)}, StdinMode::kDevNull);
  for (int tick = 0; tick < 2; ++tick) {
    const auto line = netcat.read_stdout_line(10s);
    ASSERT_TRUE(line) << netcat.stderr_text();
    EXPECT_EQ(line->size(), 8u) << *line;
  }
  auto wall = start_client("clockwall",
                           {"-once", "-tls-ca", ca(), "Here=" + local(clock_tls_),
                            "There=127.0.0.1:" + std::to_string(clock_tls_)},
                           StdinMode::kDevNull);
  const auto header = wall.read_stdout_line(10s);
  ASSERT_TRUE(header) << wall.stderr_text();
  EXPECT_TRUE(header->starts_with("Here")) << *header;
  const auto row = wall.read_stdout_line(5s);
  ASSERT_TRUE(row) << wall.stderr_text();
  EXPECT_EQ(row->find("down"), std::string::npos) << *row;
  EXPECT_EQ(wall.wait_exit(5s), 0) << wall.stderr_text();
  expect_no_sanitizer_report(wall);
}

TEST_F(TlsClients, Netcat2TalksToChatThroughHaproxy) {
  auto netcat = start_client("netcat2", {"-tls-ca", ca(), local(chat_tls_)});
  const auto greeting = netcat.read_stdout_line(10s);
  ASSERT_TRUE(greeting) << netcat.stderr_text();
  const std::string me = greeting->substr(std::string("You are ").size());
  netcat.write_stdin("over tls\n");
  EXPECT_EQ(netcat.read_stdout_line(5s), me + ": over tls");
}

TEST_F(TlsClients, AFileThatCannotBeReadFailsBeforeAnyConnection) {
  const std::string missing = (certificates_.dir / "missing.pem").string();
  auto netcat = start_client("netcat3", {"-tls-ca", missing, "localhost:1"});
  expect_failed_with(netcat, "netcat3: load -tls-ca " + missing + ": no such file or directory");
  auto keyless = start_client(
      "netcat3", {"-tls-ca", ca(), "-tls-cert", certificates_.file("client.crt"), "localhost:1"});
  expect_failed_with(keyless, "netcat3: load -tls-cert " + certificates_.file("client.crt") +
                                  ": no key in it (give -tls-key)");
}

// clock2 answers the ClientHello with its first time at once; OpenSSL reads "15:04:05" as a
// record header.
TEST_F(TlsClients, APlainServerFailsTheHandshakeInOneLine) {
  auto plain = start_server("clock2");
  auto netcat = start_client("netcat1", {"-tls-ca", ca(), local(plain.port)}, StdinMode::kDevNull);
  expect_failed_with(netcat,
                     "netcat1: tls handshake with " + local(plain.port) + ": wrong version number");
}

// socat's OPENSSL-LISTEN echoing through a pipe: every byte back, in order, after netcat3's
// close_notify ended what it sent.
TEST_F(TlsClients, EightMebibytesOfBinaryDataRoundTripThroughNetcat3) {
  if (!on_path("socat")) GTEST_SKIP() << "socat is missing: scripts/setup.sh installs it";
  const std::string data = random_bytes(8 << 20);
  const TempFile file(data);
  for (int round = 0; round < 2; ++round) {
    const std::uint16_t port = unused_port();
    auto socat = ChildProcess::start(
        {"socat", "-t", "30",
         "OPENSSL-LISTEN:" + std::to_string(port) +
             ",bind=127.0.0.1,reuseaddr,cert=" + certificates_.file("server.pem") + ",verify=0",
         "PIPE"});
    ASSERT_TRUE(eventually([&] { return listening_on(port); }, 5s)) << socat.stderr_text();
    auto netcat =
        start_client("netcat3", {"-tls-ca", ca(), local(port)}, StdinMode::kFile, file.path());
    const std::string out = netcat.read_stdout_until_eof(60s);
    EXPECT_EQ(netcat.wait_exit(5s), 0) << netcat.stderr_text();
    EXPECT_EQ(out.size(), data.size()) << "round " << round;
    EXPECT_TRUE(out == data) << "round " << round << ": the bytes differ";
    EXPECT_EQ(socat.wait_exit(10s), 0) << socat.stderr_text();
    expect_no_sanitizer_report(netcat);
  }
}

// OpenSSL's own server: what its stdin gets, netcat1 prints; when it dies without close_notify
// (SIGKILL), that is the end, as for Go, ncat and socat: status 0, nothing lost before it.
TEST_F(TlsClients, Netcat1PrintsOpensslServersBytesAndTakesAnEndWithoutCloseNotify) {
  const std::uint16_t port = unused_port();
  auto server = ChildProcess::start(
      {"openssl", "s_server", "-quiet", "-accept", "127.0.0.1:" + std::to_string(port), "-naccept",
       "1", "-cert", certificates_.file("server.crt"), "-key", certificates_.file("server.key")});
  ASSERT_TRUE(eventually([&] { return listening_on(port); }, 5s)) << server.stderr_text();
  auto netcat = start_client("netcat1", {"-tls-ca", ca(), local(port)}, StdinMode::kDevNull);
  server.write_stdin("from s_server\n");
  EXPECT_EQ(netcat.read_stdout_line(10s), "from s_server") << netcat.stderr_text();
  server.signal(SIGKILL);
  EXPECT_EQ(netcat.read_stdout_until_eof(10s), "");
  EXPECT_EQ(netcat.wait_exit(5s), 0) << netcat.stderr_text();
  EXPECT_EQ(netcat.stderr_text(), "");
  expect_no_sanitizer_report(netcat);
}

// At stdin's end netcat2 ends, and over TLS it says so with close_notify, as Go's Close does
// and netcat3 does: OpenSSL's server ends with "DONE" (close_notify read), not "ERROR" (the
// connection cut without it). Several runs, since the alert and the FIN can reach the server in
// one read or two.
TEST_F(TlsClients, Netcat2EndsWithCloseNotifyAtStdinEof) {
  const TempFile input("hello\n");
  for (int run = 0; run < 5; ++run) {
    const std::uint16_t port = unused_port();
    auto server = ChildProcess::start(
        {"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-naccept", "1",
         "-cert", certificates_.file("server.crt"), "-key", certificates_.file("server.key")});
    ASSERT_TRUE(eventually([&] { return listening_on(port); }, 5s)) << server.stderr_text();
    auto netcat =
        start_client("netcat2", {"-tls-ca", ca(), local(port)}, StdinMode::kFile, input.path());
    EXPECT_EQ(netcat.wait_exit(5s), 0) << netcat.stderr_text();
    const std::string said = server.read_stdout_until_eof(5s);
    EXPECT_NE(said.find("\nhello\n"), std::string::npos) << said;
    EXPECT_NE(said.find("\nDONE\n"), std::string::npos) << "run " << run << ": " << said;
    EXPECT_EQ(said.find("\nERROR\n"), std::string::npos) << "run " << run << ": " << said;
    server.wait_exit(5s);
    expect_no_sanitizer_report(netcat);
  }
}

TEST_F(TlsClients, InsecureSaysSoInOneWarningAndSkipsEveryCheck) {
  // The name and the CA are both wrong for this server: only -tls-insecure lets it through.
  auto netcat =
      start_client("netcat2", {"-tls-insecure", "-tls-name", "chat.example.org", local(chat_tls_)});
  const auto greeting = netcat.read_stdout_line(10s);
  ASSERT_TRUE(greeting) << netcat.stderr_text();
  EXPECT_TRUE(greeting->starts_with("You are 127.0.0.1:")) << *greeting;
  EXPECT_EQ(netcat.stderr_text(),
            "netcat2: warning: -tls-insecure: the server's certificate and name are not "
            "verified\n");
}

}  // namespace
}  // namespace e2e::tls_clients
