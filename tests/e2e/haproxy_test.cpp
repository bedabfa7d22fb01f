// The servers behind Debian's HAProxy, started with the configuration the project ships
// (servers/deploy/haproxy.cfg, its ports and files rewritten), TLS ending there, and the
// certificates made for each test by the openssl command line. OpenSSL's s_client is the TLS
// client.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e/programs.hpp"

namespace e2e {
namespace {

namespace fs = std::filesystem;

bool on_path(const std::string& program) {
  return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
}

// A scratch folder with a CA, a server certificate for localhost and 127.0.0.1 signed by it (as
// server.pem, chain and key in one file), and a client certificate signed by a second CA.
struct Certificates {
  fs::path dir;

  Certificates() {
    char pattern[] = "/tmp/gonet-haproxy.XXXXXX";
    dir = ::mkdtemp(pattern);
    const std::string script = R"(set -e
      key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
      ca() { key "$1.key"; openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=$1"; }
      signed() {  # NAME CA SUBJECT [EXTENSIONS]
        key "$1.key"
        openssl req -new -key "$1.key" -out "$1.csr" -subj "$3"
        printf '%s\n' "$4" > "$1.ext"
        openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 2 \
          -extfile "$1.ext" -out "$1.crt" 2>/dev/null
      }
      ca ca
      ca clients-ca
      signed server ca /CN=localhost "subjectAltName=DNS:localhost,IP:127.0.0.1"
      cat server.crt server.key > server.pem
      signed client clients-ca /CN=alice "extendedKeyUsage=clientAuth"
    )";
    const std::string command = "cd '" + dir.string() + "' && sh -c '" + escape(script) + "'";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl: " + command);
  }
  ~Certificates() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  static std::string escape(const std::string& script) {
    std::string quoted = script;
    replace_all(quoted, "'", "'\\''");
    return quoted;
  }
};

// The servers HAProxy hands connections to, each with -proxy-protocol, and HAProxy itself.
class BehindHaproxy : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!on_path("haproxy") || !on_path("openssl")) {
      GTEST_SKIP() << "haproxy or openssl is missing: scripts/setup.sh installs them";
    }
    clock_ = start_server("clock2", {"-proxy-protocol"});
    reverb_ = start_server("reverb2", {"-proxy-protocol", "-delay", "1ms"});
    chat_ = start_server("chat", {"-proxy-protocol"});

    std::ifstream shipped(std::string(GONET_SOURCE_DIR) + "/servers/deploy/haproxy.cfg");
    std::stringstream text;
    text << shipped.rdbuf();
    std::string config = text.str();
    ASSERT_FALSE(config.empty());
    replace_all(config, "/etc/haproxy/gonet/", certificates_.dir.string() + "/");
    for (const auto& [shipped_port, frontend] : {std::pair{"8401", &clock_tls_},
                                                 {"8402", &reverb_tls_},
                                                 {"8403", &chat_tls_},
                                                 {"8404", &chat_verified_}}) {
      *frontend = unused_port();
      replace_all(config, std::string("0.0.0.0:") + shipped_port,
                  "127.0.0.1:" + std::to_string(*frontend));
    }
    replace_all(config, "127.0.0.1:8001", "127.0.0.1:" + std::to_string(clock_->port));
    replace_all(config, "127.0.0.1:8002", "127.0.0.1:" + std::to_string(reverb_->port));
    replace_all(config, "127.0.0.1:8003", "127.0.0.1:" + std::to_string(chat_->port));
    const fs::path path = certificates_.dir / "haproxy.cfg";
    std::ofstream(path) << config;

    haproxy_ = ChildProcess::start({"haproxy", "-db", "-f", path.string()});
    for (const std::uint16_t port : {clock_tls_, reverb_tls_, chat_tls_, chat_verified_}) {
      ASSERT_TRUE(eventually([&] { return TcpClient::try_connect(port).has_value(); }, 5s))
          << "haproxy does not listen on " << port << ": " << haproxy_->stderr_text();
    }
  }

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

  Certificates certificates_;
  std::optional<Server> clock_, reverb_, chat_;
  std::uint16_t clock_tls_ = 0, reverb_tls_ = 0, chat_tls_ = 0, chat_verified_ = 0;
  std::optional<ChildProcess> haproxy_;
};

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
