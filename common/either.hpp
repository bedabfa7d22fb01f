#pragma once

#include <array>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <exception>

namespace gonet {

// Runs `a` and `b` at once and ends when the first of them ends, cancelling the other; an
// exception from the first is rethrown. (awaitable_operators' `||` in Asio 1.22 waits for the
// first *success*, so a failure on one side would hang on the other.)
inline asio::awaitable<void> either(asio::awaitable<void> a, asio::awaitable<void> b) {
  const auto executor = co_await asio::this_coro::executor;
  auto [order, a_failure, b_failure] =
      co_await asio::experimental::make_parallel_group(
          asio::co_spawn(executor, std::move(a), asio::experimental::deferred),
          asio::co_spawn(executor, std::move(b), asio::experimental::deferred))
          .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
  std::exception_ptr first = a_failure;
  if (order[0] == 1) first = b_failure;
  if (first) std::rethrow_exception(first);
}

}  // namespace gonet
