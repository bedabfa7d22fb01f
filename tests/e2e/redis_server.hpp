// What the tests of chat across servers share: Debian's redis-server, started by a test in a
// scratch folder of its own; a client that speaks Redis's protocol by hand, as anyone who can
// publish on Redis does; and frames written and signed as a node writes them, by the test's own
// code (OpenSSL's HMAC), to forge what a key holder could.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/programs.hpp"

namespace e2e {

// redis-server keeping nothing on disk: on a Unix socket in its folder (no TCP port), or, with
// `tls`, on a TLS port of 127.0.0.1 (and the socket still, for the test's own client).
class RedisServer {
 public:
  struct Tls {
    std::string cert;
    std::string key;
    std::string client_ca;      // whom it trusts for client certificates
    bool auth_clients = false;  // tls-auth-clients yes: a client must present one
  };
  explicit RedisServer(std::vector<std::string> settings = {}, std::optional<Tls> tls = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::string socket() const { return (dir_ / "redis.sock").string(); }
  std::uint16_t tls_port() const { return tls_port_; }
  std::filesystem::path dir() const { return dir_; }
  // Starts it (again, after it was killed), and waits until it answers.
  void start();
  ChildProcess& process() { return *process_; }

 private:
  std::vector<std::string> settings_;
  std::optional<Tls> tls_;
  std::filesystem::path dir_;
  std::uint16_t tls_port_ = 0;
  std::optional<ChildProcess> process_;
};

// A plain client of Redis on its Unix socket, blocking, with 10 s timeouts.
class RedisClient {
 public:
  explicit RedisClient(const std::string& socket);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Sends a command and returns its reply: a status, error or integer as its line ("+OK",
  // "-NOPERM ...", ":2"), a bulk string as its bytes, nil as "(nil)". Throws on a broken socket.
  std::string command(const std::vector<std::string>& argv);
  // SUBSCRIBE to `channel`, its confirmation read.
  void subscribe(const std::string& channel);
  // The payload of the subscription's next message, or nullopt after `timeout`.
  std::optional<std::string> next_message(std::chrono::milliseconds timeout);

 private:
  using Deadline = std::chrono::steady_clock::time_point;
  void send(const std::vector<std::string>& argv);
  // More bytes into buffer_; false once `deadline` has passed without any.
  bool fill(Deadline deadline);
  std::optional<std::string> read_line(Deadline deadline);
  // A reply whose type line was `line`: its text, as command() returns it.
  std::optional<std::string> read_rest(const std::string& line, Deadline deadline);
  int fd_ = -1;
  std::string buffer_;
};

// The room's channel on Redis.
std::string channel_of(const std::string& room = "chat");

// A frame as a node writes it, signed with `key` for `room` (SPEC "on a hostile bus"):
// g2 <TAB> MAC <TAB> NODE <TAB> SEQ <TAB> EVENT <TAB> TIME <TAB> KIND <TAB> TEXT. TIME 0: now.
std::string signed_frame(const std::string& key, const std::string& node, std::uint64_t seq,
                         std::uint64_t event, char kind, const std::string& text,
                         std::uint64_t time_ms = 0, const std::string& room = "chat");

// A frame of the format before signatures, as the first probe of the bus wrote them:
// g1 <TAB> NODE <TAB> SEQ <TAB> KIND <TAB> TEXT.
std::string unsigned_frame(const std::string& node, std::uint64_t seq, char kind,
                           const std::string& text);

}  // namespace e2e
