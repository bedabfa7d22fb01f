#include "servers/chat/client/client_writer.hpp"

#include <vector>

#include <asio/buffer.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "common/net/awaitable.hpp"

namespace gonet {
namespace {

using asio::ip::tcp;

// What one write of the writer takes at most: Asio's writes pass at most 64 buffers to a system
// call, and the writer waits for the socket anyway.
constexpr std::size_t kBatch = 64;

struct Written {
  std::error_code ec;
  std::size_t bytes;
};

// Writes all of `buffers`, or fails with timed_out when that is still unfinished after `timeout`.
asio::awaitable<Written> write_within(tcp::socket& socket,
                                      const std::vector<asio::const_buffer>& buffers,
                                      asio::steady_timer& stuck, std::chrono::nanoseconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  stuck.expires_after(timeout);
  const auto done =
      co_await (asio::async_write(socket, buffers, use_nothrow) || stuck.async_wait(use_nothrow));
  if (done.index() == 1) co_return Written{asio::error::timed_out, 0};
  const auto [ec, bytes] = std::get<0>(done);
  co_return Written{ec, bytes};
}

}  // namespace

asio::awaitable<void> client_writer(Client& client, std::chrono::nanoseconds write_timeout,
                                    std::function<void(std::error_code)> on_failure) {
  OutgoingQueue& queue = client.queue();
  asio::steady_timer stuck(client.socket().get_executor());
  std::vector<asio::const_buffer> buffers;
  bool failed = false;
  for (;;) {
    if (!failed && !queue.empty()) {
      buffers.resize(kBatch);
      buffers.resize(queue.gather(buffers));
      client.set_writing(true);
      const Written written = co_await write_within(client.socket(), buffers, stuck, write_timeout);
      queue.consume(written.bytes);
      if (written.ec) {
        failed = true;
        queue.abandon();
        on_failure(written.ec);
      }
      continue;
    }
    client.set_writing(false);
    if (queue.closed() && (failed || queue.empty())) co_return;
    co_await client.wait_for_news();
  }
}

}  // namespace gonet
