#pragma once

#include <system_error>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/experimental/channel.hpp>

#include "common/net/awaitable.hpp"

namespace gonet {

// The book's `done := make(chan struct{})`, signalled the way Go code signals for good: by
// closing it. Every wait, before or after the signal, then completes at once.
class Done {
 public:
  explicit Done(const asio::any_io_executor& executor) : channel_(executor) {}

  void signal() { channel_.close(); }

  asio::awaitable<void> wait() {
    // A channel of void(error_code) needs Asio 1.26; the bool is never sent.
    co_await channel_.async_receive(use_nothrow);
  }

 private:
  asio::experimental::channel<void(std::error_code, bool)> channel_;
};

}  // namespace gonet
