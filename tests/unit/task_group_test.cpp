#include "common/net/task_group.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <gtest/gtest.h>

#include "common/net/awaitable.hpp"
#include "common/net/notifier.hpp"

namespace gonet {
namespace {

using namespace std::chrono_literals;

asio::awaitable<void> sleep_then_note(std::chrono::milliseconds pause, std::string name,
                                      std::vector<std::string>& log) {
  asio::steady_timer timer(co_await asio::this_coro::executor, pause);
  co_await timer.async_wait(use_nothrow);
  log.push_back(name);
}

asio::awaitable<void> wait_then_note(TaskGroup& group, std::vector<std::string>& log) {
  co_await group.wait();
  log.push_back("all ended");
}

TEST(TaskGroup, WaitReturnsOnlyOnceEveryTaskHasEnded) {
  asio::io_context io;
  TaskGroup group(io.get_executor());
  std::vector<std::string> log;
  group.spawn(sleep_then_note(60ms, "slow", log));
  group.spawn(sleep_then_note(10ms, "fast", log));
  EXPECT_EQ(group.size(), 2u);
  asio::co_spawn(io, wait_then_note(group, log), asio::detached);
  io.run_for(2s);
  EXPECT_EQ(log, (std::vector<std::string>{"fast", "slow", "all ended"}));
  EXPECT_EQ(group.size(), 0u);
}

TEST(TaskGroup, RunsEachOnEndBeforeTheWaitersHear) {
  asio::io_context io;
  TaskGroup group(io.get_executor());
  std::vector<std::string> log;
  group.spawn(sleep_then_note(10ms, "task", log), [&] { log.push_back("on_end"); });
  asio::co_spawn(io, wait_then_note(group, log), asio::detached);
  io.run_for(2s);
  EXPECT_EQ(log, (std::vector<std::string>{"task", "on_end", "all ended"}));
}

TEST(TaskGroup, WaitWithNoTasksReturnsAtOnce) {
  asio::io_context io;
  TaskGroup group(io.get_executor());
  std::vector<std::string> log;
  asio::co_spawn(io, wait_then_note(group, log), asio::detached);
  io.poll();
  EXPECT_EQ(log, std::vector<std::string>{"all ended"});
}

asio::awaitable<void> wait_for(Notifier& notifier, int& woken) {
  co_await notifier.wait();
  ++woken;
}

TEST(Notifier, WakesEveryWaiterAndOnlyWhenNotified) {
  asio::io_context io;
  Notifier notifier(io.get_executor());
  int woken = 0;
  for (int i = 0; i < 3; ++i) asio::co_spawn(io, wait_for(notifier, woken), asio::detached);
  io.run_for(50ms);
  EXPECT_EQ(woken, 0);
  notifier.notify_all();
  io.run_for(50ms);
  EXPECT_EQ(woken, 3);
}

}  // namespace
}  // namespace gonet
