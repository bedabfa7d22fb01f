#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <system_error>

namespace gonet {

// The one writer of a connection. Many coroutines may write at once (the book warns that
// net.Conn methods must then be safe to call concurrently; Asio forbids a second async_write
// while one is in flight): each line is queued whole, and run() writes them one after another,
// so lines never tear.
class WriteQueue {
 public:
  WriteQueue(asio::ip::tcp::socket& socket, std::chrono::nanoseconds write_timeout);

  // Queues `line`. Completes at once, unless more than kHighWater bytes are already waiting
  // for a client that is not reading: then when they have gone out. Fails once the connection
  // has failed (every later line is dropped).
  asio::awaitable<std::error_code> write(std::string line);

  // Writes what is queued as it comes, until close() and everything queued has gone out (no
  // error), or a write fails or stays stuck for the write timeout (that error).
  asio::awaitable<std::error_code> run();

  // No more lines will come: run() ends once the queue is empty.
  void close();

  static constexpr std::size_t kHighWater = 64 * 1024;

 private:
  void wake(asio::steady_timer& timer) { timer.cancel(); }

  asio::ip::tcp::socket& socket_;
  std::chrono::nanoseconds write_timeout_;
  std::deque<std::string> lines_;
  std::size_t queued_bytes_ = 0;
  bool closed_ = false;
  std::error_code failure_;
  // Timers that never expire, cancelled to wake whoever waits: the writer for a new line, the
  // writers of lines over the high water mark for room.
  asio::steady_timer line_queued_;
  asio::steady_timer room_made_;
};

}  // namespace gonet
