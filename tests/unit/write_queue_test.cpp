#include "common/net/write_queue.hpp"

#include <map>
#include <string>
#include <thread>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/read.hpp>
#include <asio/steady_timer.hpp>
#include <gtest/gtest.h>

#include "common/net/awaitable.hpp"
#include "tests/unit/socket_pair.hpp"

namespace gonet {
namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;

// Writes `count` lines, `pause` apart, each line made of one repeated letter.
asio::awaitable<void> writer(WriteQueue& out, char letter, int count, std::size_t size,
                             std::chrono::milliseconds pause) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int i = 0; i < count; ++i) {
    co_await out.write(std::string(size, letter) + "\n");
    timer.expires_after(pause);
    co_await timer.async_wait(use_nothrow);
  }
}

asio::awaitable<void> write_and_flush(WriteQueue& out, std::vector<std::string> lines) {
  for (auto& line : lines) co_await out.write(std::move(line));
  co_await out.flush();
}

TEST(WriteQueue, WritesLinesWholeWhenManyCoroutinesWriteAtOnce) {
  asio::io_context io;
  SocketPair pair(io);
  WriteQueue out(pair.server, 5s);
  // 26 writers of 20 lines of 10 KiB each: far more than a socket takes in one write, so a
  // queue that let two writes overlap would interleave bytes inside lines.
  for (char letter = 'a'; letter <= 'z'; ++letter) {
    asio::co_spawn(io, writer(out, letter, 20, 10 * 1024, 1ms), asio::detached);
  }
  std::thread runner([&io] { io.run_for(20s); });
  std::string received;
  std::error_code ec;
  const std::size_t expected = 26 * 20 * (10 * 1024 + 1);
  received.resize(expected);
  asio::read(pair.client, asio::buffer(received), ec);
  io.stop();
  runner.join();
  ASSERT_FALSE(ec) << ec.message();
  std::size_t at = 0;
  std::map<char, int> lines;
  while (at < received.size()) {
    const char letter = received[at];
    const auto line = std::string_view(received).substr(at, 10 * 1024 + 1);
    ASSERT_EQ(line, std::string(10 * 1024, letter) + "\n") << "torn line at byte " << at;
    ++lines[letter];
    at += line.size();
  }
  for (char letter = 'a'; letter <= 'z'; ++letter) EXPECT_EQ(lines[letter], 20) << letter;
}

TEST(WriteQueue, KeepsTheOrderLinesWereQueuedIn) {
  asio::io_context io;
  SocketPair pair(io);
  WriteQueue out(pair.server, 5s);
  std::vector<std::string> lines;
  std::string expected;
  for (int i = 0; i < 1000; ++i) {
    lines.push_back(std::to_string(i) + "\n");
    expected += lines.back();
  }
  asio::co_spawn(io, write_and_flush(out, lines), asio::detached);
  io.run_for(10s);
  std::string received(expected.size(), '\0');
  asio::read(pair.client, asio::buffer(received));
  EXPECT_EQ(received, expected);
}

asio::awaitable<void> fill(WriteQueue& out, std::size_t& queued, std::error_code& last) {
  for (;;) {
    last = co_await out.write(std::string(1024, 'x'));
    if (last) co_return;
    queued += 1024;
  }
}

asio::awaitable<void> flush_then_mark(WriteQueue& out, bool& flushed) {
  co_await out.flush();
  flushed = true;
}

TEST(WriteQueue, WritesStraightToASocketThatKeepsUp) {
  asio::io_context io;
  SocketPair pair(io);
  WriteQueue out(pair.server, 5s);
  asio::co_spawn(io, write_and_flush(out, {"one\n", "two\n"}), asio::detached);
  // The lines are in the socket before the event loop has run anything but the writer itself.
  io.run_one();
  std::string received(8, '\0');
  asio::read(pair.client, asio::buffer(received));
  EXPECT_EQ(received, "one\ntwo\n");
  io.run_for(100ms);
}

TEST(WriteQueue, FlushWaitsForQueuedLinesToGoOut) {
  asio::io_context io;
  SocketPair pair(io);
  WriteQueue out(pair.server, 5s);
  // Far more than the socket buffers take (a few MiB): most of it waits in the queue.
  std::vector<std::string> lines(64, std::string(256 * 1024, 'x'));
  bool flushed = false;
  asio::co_spawn(io, write_and_flush(out, lines), asio::detached);
  asio::co_spawn(io, flush_then_mark(out, flushed), asio::detached);
  io.run_for(200ms);
  EXPECT_FALSE(flushed) << "flushed with the client not reading";
  std::thread reader([&] {
    std::vector<char> sink(64 * 256 * 1024);
    asio::read(pair.client, asio::buffer(sink));
  });
  io.run_for(5s);
  reader.join();
  EXPECT_TRUE(flushed);
}

TEST(WriteQueue, HoldsWritersBackWhileTheClientDoesNotRead) {
  asio::io_context io;
  SocketPair pair(io);
  pair.client.set_option(asio::socket_base::receive_buffer_size(4096));
  std::error_code writer_error;
  WriteQueue out(pair.server, 1s, [&](std::error_code ec) { writer_error = ec; });
  std::size_t queued = 0;
  std::error_code last;
  asio::co_spawn(io, fill(out, queued, last), asio::detached);
  io.run_for(300ms);
  // The kernel's buffers take some megabytes; the queue adds no more than its high water mark.
  const std::size_t stalled_at = queued;
  io.run_for(300ms);
  EXPECT_EQ(queued, stalled_at) << "the writer was not held back";
  // Then the stuck write times out, and every writer learns the connection failed.
  io.run_for(2s);
  EXPECT_EQ(writer_error, asio::error::timed_out);
  EXPECT_TRUE(last);
}

}  // namespace
}  // namespace gonet
