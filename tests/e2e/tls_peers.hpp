// What the TLS tests share: certificates made by the openssl command line for each test, and
// Debian's HAProxy in front of clock2, reverb2 and chat with the configuration the project ships
// (servers/deploy/haproxy.cfg, its ports and files rewritten).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "tests/e2e/programs.hpp"

namespace e2e {

bool on_path(const std::string& program);

// Whether something listens on 127.0.0.1:`port`, asked of the kernel (/proc/net/tcp) rather than
// by connecting, which would use up a server that takes one connection (socat, s_server).
bool listening_on(std::uint16_t port);

// A scratch folder: a CA (ca.pem), a server certificate for localhost and 127.0.0.1 it signed
// (server.crt and server.key, and both in server.pem), a client certificate signed by a second
// CA (client.crt, client.key; clients-ca.pem), a third CA that signed nothing (other-ca.pem), and
// a certificate for localhost by its common name alone, with no subject alternative name, that
// the first CA signed (cn-only.crt, cn-only.key).
struct Certificates {
  std::filesystem::path dir;

  Certificates();
  ~Certificates();
  Certificates(const Certificates&) = delete;
  Certificates& operator=(const Certificates&) = delete;

  std::string file(const std::string& name) const { return (dir / name).string(); }
};

// The servers HAProxy hands connections to, each with -proxy-protocol, and HAProxy itself: the
// shipped frontends 8401 (clock2), 8402 (reverb2), 8403 (chat) and 8404 (chat, client
// certificates required) on free ports of 127.0.0.1. Skips where haproxy or openssl is missing.
class HaproxyInFront : public ::testing::Test {
 protected:
  void SetUp() override;

  Certificates certificates_;
  std::optional<Server> clock_, reverb_, chat_;
  std::uint16_t clock_tls_ = 0, reverb_tls_ = 0, chat_tls_ = 0, chat_verified_ = 0;
  std::optional<ChildProcess> haproxy_;
  // What haproxy_ was started with: Debian's haproxy.cfg as the tests run it (empty when it is
  // not installed, or the tests are not root), then the shipped file.
  std::pair<std::filesystem::path, std::filesystem::path> haproxy_files_;
};

// Debian's /etc/haproxy/haproxy.cfg, its sockets moved to `dir` and its log to stderr, written
// in `dir`; empty when it is missing or this process is not root.
std::filesystem::path debian_global(const std::filesystem::path& dir);

}  // namespace e2e
