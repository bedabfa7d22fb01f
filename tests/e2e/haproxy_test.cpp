// The servers behind Debian's HAProxy (tls_peers.hpp), TLS ending there. OpenSSL's s_client is
// the TLS client here; tls_clients_test.cpp has ours.
#include <pwd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e/tls_peers.hpp"

namespace e2e {
namespace {

class BehindHaproxy : public HaproxyInFront {
 protected:
  // OpenSSL's TLS client to a frontend, verifying HAProxy's certificate against the test's CA.
  ChildProcess tls_client(std::uint16_t port, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {"openssl",          "s_client",
                                     "-quiet",           "-verify_return_error",
                                     "-CAfile",          (certificates_.dir / "ca.pem").string(),
                                     "-servername",      "localhost",
                                     "-verify_hostname", "localhost",
                                     "-connect",         "127.0.0.1:" + std::to_string(port)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return ChildProcess::start(std::move(argv));
  }
};

// As deployed beside Debian's configuration: `haproxy -c` takes both files; HAProxy serves as
// the haproxy user in its chroot, and logs each connection (option tcplog) once it ends.
TEST_F(BehindHaproxy, RunsBesideDebiansConfigAsHaproxyInItsChrootAndLogsEachConnection) {
  const auto& [debian, shipped] = haproxy_files_;
  if (debian.empty()) GTEST_SKIP() << "needs root and Debian's /etc/haproxy/haproxy.cfg";
  auto check =
      ChildProcess::start({"haproxy", "-c", "-f", debian.string(), "-f", shipped.string()});
  EXPECT_EQ(check.wait_exit(10s), 0) << check.stderr_text();

  const std::string proc = "/proc/" + std::to_string(haproxy_->pid());
  std::error_code ec;
  EXPECT_EQ(std::filesystem::read_symlink(proc + "/root", ec), "/var/lib/haproxy") << ec.message();
  std::ifstream status(proc + "/status");
  std::string line;
  while (std::getline(status, line) && !line.starts_with("Uid:")) {
  }
  const passwd* haproxy = ::getpwnam("haproxy");
  ASSERT_NE(haproxy, nullptr);
  EXPECT_TRUE(line.starts_with("Uid:\t" + std::to_string(haproxy->pw_uid) + "\t")) << line;

  {
    auto client = tls_client(clock_tls_);
    ASSERT_TRUE(client.read_stdout_line(5s)) << client.stderr_text();
  }
  EXPECT_TRUE(eventually(
      [&] {
        return haproxy_->stderr_text().find(" clock_tls~ clock2/clock2 ") != std::string::npos;
      },
      5s))
      << haproxy_->stderr_text();
}

TEST_F(BehindHaproxy, ReverbTwoEchoesOverTls) {
  auto client = tls_client(reverb_tls_);
  client.write_stdin("Hello?\n");
  EXPECT_EQ(client.read_stdout_line(5s), "\t HELLO?") << client.stderr_text();
  EXPECT_EQ(client.read_stdout_line(2s), "\t Hello?");
  EXPECT_EQ(client.read_stdout_line(2s), "\t hello?");
}

TEST_F(BehindHaproxy, ClockTwoTicksOverTls) {
  auto client = tls_client(clock_tls_);
  const auto first = client.read_stdout_line(5s);
  ASSERT_TRUE(first) << client.stderr_text();
  EXPECT_EQ(first->size(), 8u) << *first;
  EXPECT_TRUE(client.read_stdout_line(2s));
}

TEST_F(BehindHaproxy, ChatNamesEachClientByItsOwnAddressNotTheProxys) {
  const std::uint16_t port = unused_port();
  auto client = tls_client(chat_tls_, {"-bind", "127.0.0.2:" + std::to_string(port)});
  EXPECT_EQ(client.read_stdout_line(5s), "You are 127.0.0.2:" + std::to_string(port))
      << client.stderr_text();
}

TEST_F(BehindHaproxy, TheVerifyingFrontendTakesOnlyClientsWithACertificateItsCaSigned) {
  auto without = tls_client(chat_verified_);
  EXPECT_FALSE(without.read_stdout_line(3s)) << "served without a client certificate";
  EXPECT_TRUE(without.wait_exit(5s).value_or(0) != 0) << without.stderr_text();

  const auto& dir = certificates_.dir;
  auto with = tls_client(chat_verified_, {"-cert", (dir / "client.crt").string(), "-key",
                                          (dir / "client.key").string()});
  const auto greeting = with.read_stdout_line(5s);
  ASSERT_TRUE(greeting) << with.stderr_text();
  EXPECT_TRUE(greeting->starts_with("You are 127.0.0.1:")) << *greeting;
}

}  // namespace
}  // namespace e2e
