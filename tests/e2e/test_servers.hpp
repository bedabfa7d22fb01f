// Servers and files of the tests' own, for the clients under test: plain POSIX sockets on a
// thread, no Asio, so that they do not depend on the code under test.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace e2e {

// A server of the test's own, on a free loopback port: it accepts one client on a thread and
// hands the connected socket (blocking, with 10 s timeouts so nothing hangs for good) to `serve`,
// then closes it. With `clients` above 1 it then accepts the next, up to that many in turn (a
// client that reconnects, as clockwall does); each accept waits at most 10 s.
class OneClientServer {
 public:
  explicit OneClientServer(std::function<void(int)> serve, int clients = 1);
  ~OneClientServer();
  OneClientServer(const OneClientServer&) = delete;
  OneClientServer& operator=(const OneClientServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // True once `serve` has returned and the connection is closed (for every client, or after an
  // accept waited in vain).
  bool wait_done(std::chrono::milliseconds timeout);

  // How many clients have been accepted so far.
  int accepted() const { return accepted_; }

 private:
  void run(const std::function<void(int)>& serve, int clients);

  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_ = false;
  std::atomic<int> client_ = -1;
  std::atomic<int> accepted_ = 0;
  std::mutex mutex_;
  std::condition_variable done_changed_;
  bool done_ = false;
  std::thread thread_;
};

// Reads until EOF; false if the stream ended otherwise (timeout, reset).
bool read_to_eof(int fd, std::string& into);

bool send_all(int fd, std::string_view data);

// A file of the test's own, removed at the end.
class TempFile {
 public:
  explicit TempFile(const std::string& content);
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace e2e
