#include "servers/reverb/loop_lag.hpp"

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

namespace gonet {
namespace {

using namespace std::chrono_literals;
using Clock = LoopLag::Clock;

TEST(LoopLag, IsNotBehindBeforeAnyPause) {
  LoopLag lag;
  EXPECT_FALSE(lag.behind(Clock::now()));
}

TEST(LoopLag, IsBehindWhileTheLatestPauseEndedLate) {
  LoopLag lag;
  const auto due = Clock::now();
  lag.pause_ended(due, due + LoopLag::kBehind + 1ms);
  EXPECT_TRUE(lag.behind(due + LoopLag::kBehind + 2ms));
}

TEST(LoopLag, IsNotBehindWhenThePauseEndedWithinTheBound) {
  LoopLag lag;
  const auto due = Clock::now();
  lag.pause_ended(due, due + LoopLag::kBehind);
  EXPECT_FALSE(lag.behind(due + LoopLag::kBehind));
  lag.pause_ended(due, due - 1ms);  // a cancelled pause ends early
  EXPECT_FALSE(lag.behind(due));
}

TEST(LoopLag, TheLatestPauseTells) {
  LoopLag lag;
  const auto due = Clock::now();
  lag.pause_ended(due, due + 50ms);
  lag.pause_ended(due + 50ms, due + 51ms);
  EXPECT_FALSE(lag.behind(due + 52ms));
  lag.pause_ended(due + 40ms, due + 53ms);
  EXPECT_TRUE(lag.behind(due + 54ms));
}

TEST(LoopLag, ForgetsALatePauseOnceItIsNoLongerFresh) {
  LoopLag lag;
  const auto due = Clock::now();
  const auto ended = due + 100ms;
  lag.pause_ended(due, ended);
  EXPECT_TRUE(lag.behind(ended + LoopLag::kFresh - 1ns));
  EXPECT_FALSE(lag.behind(ended + LoopLag::kFresh));
}

TEST(LoopLag, EachThreadHasItsOwn) {
  const auto due = Clock::now();
  LoopLag::here().pause_ended(due, due + 100ms);
  bool other_behind = true;
  std::thread([&] { other_behind = LoopLag::here().behind(due + 101ms); }).join();
  EXPECT_FALSE(other_behind);
  EXPECT_TRUE(LoopLag::here().behind(due + 101ms));
  LoopLag::here() = LoopLag();
}

}  // namespace
}  // namespace gonet
