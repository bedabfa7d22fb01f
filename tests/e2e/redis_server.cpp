#include "tests/e2e/redis_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tests/e2e/test_servers.hpp"

namespace e2e {
namespace {

namespace fs = std::filesystem;

std::string hex(const unsigned char* bytes, std::size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < n; ++i) {
    text.push_back(digits[bytes[i] >> 4]);
    text.push_back(digits[bytes[i] & 0xF]);
  }
  return text;
}

}  // namespace

RedisServer::RedisServer(std::vector<std::string> settings, std::optional<Tls> tls)
    : settings_(std::move(settings)), tls_(std::move(tls)) {
  char pattern[] = "/tmp/gonet-redis.XXXXXX";
  dir_ = ::mkdtemp(pattern);
  if (tls_) tls_port_ = unused_port();
  start();
}

RedisServer::~RedisServer() {
  process_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void RedisServer::start() {
  fs::remove(socket());
  std::vector<std::string> command = {"redis-server", "--port", "0",          "--unixsocket",
                                      socket(),       "--save", "",           "--appendonly",
                                      "no",           "--dir",  dir_.string()};
  if (tls_) {
    command.insert(command.end(),
                   {"--tls-port", std::to_string(tls_port_), "--tls-cert-file", tls_->cert,
                    "--tls-key-file", tls_->key, "--tls-ca-cert-file", tls_->client_ca,
                    "--tls-auth-clients", tls_->auth_clients ? "yes" : "no"});
  }
  command.insert(command.end(), settings_.begin(), settings_.end());
  process_ = ChildProcess::start(command);
  // The socket's file is there from its bind(), a moment before its listen(): up once a
  // connection is taken.
  const bool up = eventually(
      [&] {
        try {
          RedisClient probe(socket());
          return true;
        } catch (const std::runtime_error&) {
          return false;
        }
      },
      5s);
  if (!up) throw std::runtime_error("redis-server did not start: " + process_->stderr_text());
}

RedisClient::RedisClient(const std::string& socket) {
  fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  socket.copy(address.sun_path, sizeof address.sun_path - 1);
  timeval timeout{10, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd_);
    throw std::runtime_error("connect " + socket);
  }
}

RedisClient::~RedisClient() { ::close(fd_); }

bool RedisClient::fill(Deadline deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd ready{fd_, POLLIN, 0};
  if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[65536];
  const ssize_t n = ::read(fd_, chunk, sizeof chunk);
  if (n <= 0) throw std::runtime_error("redis: connection lost");
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::optional<std::string> RedisClient::read_line(Deadline deadline) {
  for (;;) {
    if (const auto end = buffer_.find("\r\n"); end != std::string::npos) {
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      return line;
    }
    if (!fill(deadline)) return std::nullopt;
  }
}

std::optional<std::string> RedisClient::read_rest(const std::string& line, Deadline deadline) {
  if (!line.starts_with("$")) return line;
  const long length = std::stol(line.substr(1));
  if (length < 0) return "(nil)";
  while (buffer_.size() < static_cast<std::size_t>(length) + 2) {
    if (!fill(deadline)) return std::nullopt;
  }
  std::string bulk = buffer_.substr(0, static_cast<std::size_t>(length));
  buffer_.erase(0, static_cast<std::size_t>(length) + 2);
  return bulk;
}

void RedisClient::send(const std::vector<std::string>& argv) {
  std::string request = "*" + std::to_string(argv.size()) + "\r\n";
  for (const auto& arg : argv) request += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  if (!send_all(fd_, request)) throw std::runtime_error("redis: cannot send");
}

std::string RedisClient::command(const std::vector<std::string>& argv) {
  send(argv);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  const auto line = read_line(deadline);
  const auto reply = line ? read_rest(*line, deadline) : std::nullopt;
  if (!reply) throw std::runtime_error("redis: no reply to " + argv.front());
  return *reply;
}

void RedisClient::subscribe(const std::string& channel) {
  send({"SUBSCRIBE", channel});
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  // *3, then "subscribe", the channel and the count.
  for (int i = 0; i < 4; ++i) {
    const auto line = read_line(deadline);
    if (!line || !read_rest(*line, deadline)) throw std::runtime_error("redis: SUBSCRIBE");
  }
}

std::optional<std::string> RedisClient::next_message(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<std::string> payload;
  // *3, then "message", the channel and the payload.
  for (int i = 0; i < 4; ++i) {
    const auto line = read_line(deadline);
    if (!line) return std::nullopt;
    payload = read_rest(*line, deadline);
    if (!payload) return std::nullopt;
  }
  return payload;
}

std::string channel_of(const std::string& room) { return "gonet:chat:" + room; }

std::string signed_frame(const std::string& key, const std::string& node, std::uint64_t seq,
                         std::uint64_t event, char kind, const std::string& text,
                         std::uint64_t time_ms, const std::string& room) {
  if (time_ms == 0) {
    time_ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  }
  const std::string body = node + "\t" + std::to_string(seq) + "\t" + std::to_string(event) + "\t" +
                           std::to_string(time_ms) + "\t" + std::string(1, kind) + "\t" + text;
  const std::string signed_part = "g2\t" + channel_of(room) + "\t" + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(), mac,
       &length);
  return "g2\t" + hex(mac, length) + "\t" + body;
}

std::string unsigned_frame(const std::string& node, std::uint64_t seq, char kind,
                           const std::string& text) {
  return "g1\t" + node + "\t" + std::to_string(seq) + "\t" + std::string(1, kind) + "\t" + text;
}

}  // namespace e2e
