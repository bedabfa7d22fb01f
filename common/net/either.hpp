#pragma once

#include <array>
#include <cstddef>
#include <exception>

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace gonet {

namespace detail {

// Runs `a` and `b` at once until `condition` (a parallel_group wait condition) says the group is
// over, cancelling whichever still runs. Returns their failures in the order they ended.
template <class Condition>
asio::awaitable<std::array<std::exception_ptr, 2>> run_together(asio::awaitable<void> a,
                                                                asio::awaitable<void> b,
                                                                Condition condition) {
  const auto executor = co_await asio::this_coro::executor;
  auto [order, a_failure, b_failure] =
      co_await asio::experimental::make_parallel_group(
          asio::co_spawn(executor, std::move(a), asio::experimental::deferred),
          asio::co_spawn(executor, std::move(b), asio::experimental::deferred))
          .async_wait(condition, asio::use_awaitable);
  if (order[0] == 1) co_return std::array{b_failure, a_failure};
  co_return std::array{a_failure, b_failure};
}

}  // namespace detail

// Runs `a` and `b` at once and ends when the first of them ends, cancelling the other; an
// exception from the first is rethrown. (awaitable_operators' `||` in Asio 1.22 waits for the
// first *success*, so a failure on one side would hang on the other.)
inline asio::awaitable<void> either(asio::awaitable<void> a, asio::awaitable<void> b) {
  const auto failures =
      co_await detail::run_together(std::move(a), std::move(b), asio::experimental::wait_for_one());
  // The other side's failure, if any, is its reaction to being cancelled.
  if (failures[0]) std::rethrow_exception(failures[0]);
}

// Runs `a` and `b` at once and ends when both have ended; the first failure cancels the other
// and is the one rethrown. (awaitable_operators' `&&` throws "multiple exceptions" when the
// cancelled side throws too.)
inline asio::awaitable<void> both(asio::awaitable<void> a, asio::awaitable<void> b) {
  const auto failures = co_await detail::run_together(std::move(a), std::move(b),
                                                      asio::experimental::wait_for_one_error());
  for (const auto& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

}  // namespace gonet
