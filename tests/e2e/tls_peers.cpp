#include "tests/e2e/tls_peers.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

namespace e2e {
namespace {

namespace fs = std::filesystem;

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
}

std::string single_quoted(const std::string& text) {
  std::string quoted = text;
  replace_all(quoted, "'", "'\\''");
  return "'" + quoted + "'";
}

}  // namespace

bool on_path(const std::string& program) {
  return std::system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0;
}

bool listening_on(std::uint16_t port) {
  std::ifstream table("/proc/net/tcp");
  char wanted[32];
  std::snprintf(wanted, sizeof wanted, "0100007F:%04X", port);
  std::string line;
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    if (local == wanted && state == "0A") return true;  // TCP_LISTEN
  }
  return false;
}

Certificates::Certificates() {
  char pattern[] = "/tmp/gonet-tls.XXXXXX";
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
    ca other-ca
    signed server ca /CN=localhost "subjectAltName=DNS:localhost,IP:127.0.0.1"
    cat server.crt server.key > server.pem
    signed client clients-ca /CN=alice "extendedKeyUsage=clientAuth"
    signed cn-only ca /CN=localhost "basicConstraints=CA:FALSE"
  )";
  const std::string command =
      "cd " + single_quoted(dir.string()) + " && sh -c " + single_quoted(script);
  if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl: " + command);
}

Certificates::~Certificates() {
  std::error_code ec;
  fs::remove_all(dir, ec);
}

fs::path debian_global(const fs::path& dir) {
  std::ifstream installed("/etc/haproxy/haproxy.cfg");
  if (!installed || ::geteuid() != 0) return {};  // chroot and user need root
  std::stringstream text;
  text << installed.rdbuf();
  std::string config = text.str();
  replace_all(config, "/run/haproxy/", dir.string() + "/");
  replace_all(config, "log /dev/log", "log stderr format short");
  const fs::path path = dir / "debian-haproxy.cfg";
  std::ofstream(path) << config;
  return path;
}

void HaproxyInFront::SetUp() {
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
  const fs::path path = certificates_.dir / "gonet.cfg";
  std::ofstream(path) << config;
  // As deployed: after Debian's own haproxy.cfg, whose global section is the one (the haproxy
  // user, its chroot, syslog), with its sockets moved here and its log to stderr, for the tests.
  const fs::path debian = debian_global(certificates_.dir);
  std::vector<std::string> argv = {"haproxy", "-db"};
  if (!debian.empty()) argv.insert(argv.end(), {"-f", debian.string()});
  argv.insert(argv.end(), {"-f", path.string()});
  haproxy_ = ChildProcess::start(argv);
  haproxy_files_ = {debian, path};
  for (const std::uint16_t port : {clock_tls_, reverb_tls_, chat_tls_, chat_verified_}) {
    ASSERT_TRUE(eventually([&] { return TcpClient::try_connect(port).has_value(); }, 5s))
        << "haproxy does not listen on " << port << ": " << haproxy_->stderr_text();
  }
}

}  // namespace e2e
