// A loopback TCP client for talking to a server under test, the way nc would, with a timeout on
// every wait. It never reads unless asked, so it can also play a client that stops reading.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace testsupport {

class TcpClient {
 public:
  struct Line {
    std::string text;  // without the '\n'
    // When the kernel received the bytes that brought its '\n' (SO_TIMESTAMPNS): not when the
    // test got round to reading them, which on a busy machine may be much later.
    std::chrono::system_clock::time_point at;
  };

  // host is a numeric address ("127.0.0.1", "::1" or "[::1]") or "localhost" (127.0.0.1).
  // rcvbuf > 0 sets SO_RCVBUF before connecting, so a client that never reads fills up quickly.
  // connect throws std::system_error; try_connect returns nullopt (refused, or no answer in 5 s).
  static TcpClient connect(std::uint16_t port, std::string host = "127.0.0.1", int rcvbuf = 0);
  static std::optional<TcpClient> try_connect(std::uint16_t port, std::string host = "127.0.0.1",
                                              int rcvbuf = 0);
  // From the loopback address `source` (say 127.0.0.2: all of 127/8 is this machine's), so a test
  // can play clients of several hosts; from `source_port` too, when not 0 (SO_REUSEADDR: two
  // connections to two servers may then share their client address, as behind a NAT).
  static TcpClient connect_from(const std::string& source, std::uint16_t port,
                                std::string host = "127.0.0.1", std::uint16_t source_port = 0);

  TcpClient(TcpClient&& o) noexcept;
  TcpClient& operator=(TcpClient&& o) noexcept;
  ~TcpClient();

  // A complete line; nullopt on timeout or at EOF (a last line without '\n' stays buffered).
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  std::optional<Line> read_timed_line(std::chrono::milliseconds timeout);
  // Everything up to EOF or reset, or what came before the timeout (then eof() is false).
  std::string read_until_eof(std::chrono::milliseconds timeout);
  // True once the server closed or reset the connection; what it sent meanwhile is discarded.
  bool wait_eof(std::chrono::milliseconds timeout);
  // What has arrived so far, without waiting.
  std::string read_available();
  bool eof() const { return eof_; }
  bool was_reset() const { return reset_; }

  // Sends all of data or throws std::runtime_error (timeout) / std::system_error (reset). While it
  // waits for room it does not read, so a server that writes without reading can stall it.
  void send(std::string_view data, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // As much of data as the peer takes before the timeout or an error; never throws. A reset or a
  // broken pipe shows in was_reset().
  std::size_t send_some(std::string_view data, std::chrono::milliseconds timeout);

  void shutdown_write();
  void close();
  // Closes with SO_LINGER 0, so the server sees a reset instead of EOF.
  void reset();
  int fd() const { return fd_; }

 private:
  using Clock = std::chrono::steady_clock;
  explicit TcpClient(int fd) : fd_(fd) {}
  static int open_connection(std::uint16_t port, const std::string& host, int rcvbuf,
                             const std::string& source = "", std::uint16_t source_port = 0);
  bool receive(Clock::time_point deadline);
  std::string take(std::size_t n);

  int fd_ = -1;
  std::string buf_;
  // Stream offsets: bytes [arrivals_[i-1].first, arrivals_[i].first) came at arrivals_[i].second.
  std::uint64_t consumed_ = 0;
  std::uint64_t received_ = 0;
  std::deque<std::pair<std::uint64_t, std::chrono::system_clock::time_point>> arrivals_;
  bool eof_ = false;
  bool reset_ = false;
};

}  // namespace testsupport
