#include "common/net/line_reader.hpp"

#include <optional>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <gtest/gtest.h>

#include "common/net/awaitable.hpp"
#include "tests/unit/socket_pair.hpp"

namespace gonet {
namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;

// What read_line gave, call after call: a line's text, or "<" + the error's message + ">".
asio::awaitable<void> read_lines(LineReader<tcp::socket>& lines, int calls,
                                 std::vector<std::string>& got) {
  for (int i = 0; i < calls; ++i) {
    auto [ec, line] = co_await lines.read_line();
    got.push_back(ec ? "<" + ec.message() + ">" : line);
  }
}

asio::awaitable<void> half_close_after(tcp::socket& socket, std::chrono::milliseconds pause) {
  asio::steady_timer timer(socket.get_executor(), pause);
  co_await timer.async_wait(use_nothrow);
  socket.shutdown(tcp::socket::shutdown_send);
}

// Asio never completes a socket read issued after one that returned EOF (FIELD-NOTES), and
// whether the data and the FIN come in one read or two depends on timing: so many tries, and
// with pauses that force each order.
TEST(LineReader, ReturnsEofForGoodAfterALastLineWithoutNewline) {
  const std::string eof = "<" + std::error_code(asio::error::eof).message() + ">";
  for (int attempt = 0; attempt < 40; ++attempt) {
    asio::io_context io;
    SocketPair pair(io);
    LineReader<tcp::socket> lines(pair.server, 1024);
    asio::write(pair.client, asio::buffer(std::string_view("one\ntwo")));
    const auto pause = std::chrono::milliseconds(attempt % 4 == 0 ? 0 : attempt % 4 * 5);
    asio::co_spawn(io, half_close_after(pair.client, pause), asio::detached);
    std::vector<std::string> got;
    asio::co_spawn(io, read_lines(lines, 4, got), asio::detached);
    io.run_for(2s);
    ASSERT_EQ(got, (std::vector<std::string>{"one", "two", eof, eof})) << "attempt " << attempt;
  }
}

TEST(LineReader, ReturnsEofForGoodAfterTheLastFullLine) {
  const std::string eof = "<" + std::error_code(asio::error::eof).message() + ">";
  for (int attempt = 0; attempt < 20; ++attempt) {
    asio::io_context io;
    SocketPair pair(io);
    LineReader<tcp::socket> lines(pair.server, 1024);
    asio::write(pair.client, asio::buffer(std::string_view("one\n")));
    asio::co_spawn(io, half_close_after(pair.client, std::chrono::milliseconds(attempt % 2 * 5)),
                   asio::detached);
    std::vector<std::string> got;
    asio::co_spawn(io, read_lines(lines, 3, got), asio::detached);
    io.run_for(2s);
    ASSERT_EQ(got, (std::vector<std::string>{"one", eof, eof})) << "attempt " << attempt;
  }
}

asio::awaitable<void> read_or_give_up(LineReader<tcp::socket>& lines,
                                      std::chrono::milliseconds patience,
                                      std::optional<bool>& read_won) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, patience);
  auto first = co_await (lines.read_line() || timer.async_wait(use_nothrow));
  read_won = first.index() == 0;
}

TEST(LineReader, ReadIsCancelledByTheOtherSideOfAnEither) {
  asio::io_context io;
  SocketPair pair(io);
  LineReader<tcp::socket> lines(pair.server, 1024);
  std::optional<bool> read_won;
  asio::co_spawn(io, read_or_give_up(lines, 50ms, read_won), asio::detached);
  io.run_for(2s);
  ASSERT_TRUE(read_won.has_value()) << "the timer could not cancel the pending read";
  EXPECT_FALSE(*read_won);

  // The cancelled read leaves the reader and its socket as they were.
  asio::write(pair.client, asio::buffer(std::string_view("late\n")));
  std::vector<std::string> got;
  io.restart();
  asio::co_spawn(io, read_lines(lines, 1, got), asio::detached);
  io.run_for(2s);
  EXPECT_EQ(got, std::vector<std::string>{"late"});
}

// A stop must hold for a read that has just completed with part of a line and is about to read
// again, where cancelling the socket would find nothing to cancel.
TEST(LineReader, StopEndsReadingForGoodEvenWithNoReadPending) {
  const std::string aborted = "<" + std::error_code(asio::error::operation_aborted).message() + ">";
  asio::io_context io;
  SocketPair pair(io);
  LineReader<tcp::socket> lines(pair.server, 1024);
  asio::write(pair.client, asio::buffer(std::string_view("no end yet")));
  lines.stop();
  std::vector<std::string> got;
  asio::co_spawn(io, read_lines(lines, 2, got), asio::detached);
  io.run_for(500ms);
  EXPECT_EQ(got, (std::vector<std::string>{aborted, aborted}));
  EXPECT_EQ(pair.server.available(), 10u) << "a stopped reader read on";
}

TEST(LineReader, StopEndsAReadInProgress) {
  const std::string aborted = "<" + std::error_code(asio::error::operation_aborted).message() + ">";
  asio::io_context io;
  SocketPair pair(io);
  LineReader<tcp::socket> lines(pair.server, 1024);
  std::vector<std::string> got;
  asio::co_spawn(io, read_lines(lines, 2, got), asio::detached);
  io.poll();
  lines.stop();
  io.run_for(500ms);
  EXPECT_EQ(got, (std::vector<std::string>{aborted, aborted}));
}

TEST(LineReader, ReadWithinGivesUpAtTheDeadlineAndStaysUsable) {
  asio::io_context io;
  SocketPair pair(io);
  LineReader<tcp::socket> lines(pair.server, 1024);
  asio::steady_timer timer(io);
  std::vector<std::string> got;
  auto read_twice = [&]() -> asio::awaitable<void> {
    for (int i = 0; i < 2; ++i) {
      auto line = co_await lines.read_line_within(timer, 100ms);
      got.push_back(line ? line->second : "<deadline>");
      if (i == 0) asio::write(pair.client, asio::buffer(std::string_view("late\n")));
    }
  };
  asio::co_spawn(io, read_twice, asio::detached);
  io.run_for(2s);
  EXPECT_EQ(got, (std::vector<std::string>{"<deadline>", "late"}));
}

}  // namespace
}  // namespace gonet
