#pragma once

#include <cstddef>
#include <exception>
#include <utility>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>

#include "common/net/failure.hpp"
#include "common/net/log.hpp"
#include "common/net/notifier.hpp"

namespace gonet {

// Coroutines spawned on one event loop and waited for together, as with Go's sync.WaitGroup:
// each counts from spawn() until it ends, and wait() returns once none runs. The group must
// outlive its tasks, unless the event loop is destroyed with them (then nothing runs again).
class TaskGroup {
 public:
  explicit TaskGroup(const asio::any_io_executor& executor) : ended_(executor) {}
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Runs `task` on its own coroutine; `on_end()` runs when it has ended, before wait() hears of
  // it. A task's exception (out of memory, say) ends only that task, and is logged, at most
  // once a second for each event loop.
  template <class OnEnd>
  void spawn(asio::awaitable<void> task, OnEnd on_end) {
    ++running_;
    asio::co_spawn(ended_.get_executor(), std::move(task),
                   [this, on_end = std::move(on_end)](const std::exception_ptr& failure) mutable {
                     if (failure) {
                       thread_local RateLimitedWarning failed;
                       failed.warn("a task failed: " + describe(failure));
                     }
                     --running_;
                     on_end();
                     ended_.notify_all();
                   });
  }
  void spawn(asio::awaitable<void> task) {
    spawn(std::move(task), [] {});
  }

  std::size_t size() const { return running_; }

  asio::awaitable<void> wait() {
    while (running_ > 0) co_await ended_.wait();
  }

 private:
  std::size_t running_ = 0;
  Notifier ended_;
};

}  // namespace gonet
