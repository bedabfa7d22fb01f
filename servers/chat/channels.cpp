#include "servers/chat/channels.hpp"

#include <system_error>

#include <asio/experimental/channel_error.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/use_awaitable.hpp>

namespace gonet {

asio::awaitable<Selected> select(Channels& channels) {
  using asio::experimental::deferred;
  // The first value cancels the other receives; one that completed meanwhile still counts.
  auto [order, entering_error, entering, leaving_error, leaving, message_error, message] =
      co_await asio::experimental::make_parallel_group(channels.entering.async_receive(deferred),
                                                       channels.leaving.async_receive(deferred),
                                                       channels.messages.async_receive(deferred))
          .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
  Selected selected;
  for (const std::size_t which : order) {
    Received& got = selected.values[selected.count];
    if (which == 0 && !entering_error) {
      got = Received{Received::From::entering, entering, nullptr};
    } else if (which == 1 && !leaving_error) {
      got = Received{Received::From::leaving, leaving, nullptr};
    } else if (which == 2 && !message_error) {
      got = Received{Received::From::messages, nullptr, std::move(message)};
    } else {
      continue;
    }
    ++selected.count;
  }
  // Only a closed or cancelled channel fails a receive, and nothing closes or cancels these: were
  // one to, a loop around select must not spin.
  if (selected.count == 0) throw std::system_error(asio::experimental::error::channel_closed);
  co_return selected;
}

}  // namespace gonet
