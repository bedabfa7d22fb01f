#include "servers/chat/client_writer.hpp"

#include <string>
#include <vector>

#include <asio/buffer.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "common/net/awaitable.hpp"
#include "servers/chat/wire.hpp"

namespace gonet {
namespace {

using asio::ip::tcp;

// One write takes at most this much: a sendmsg() takes at most 64 buffers in Asio, and a client
// that is slow to take a batch holds its messages until the whole batch is out.
constexpr std::size_t kBatchEntries = 64;
constexpr std::size_t kBatchBytes = 64 * 1024;

// Drops the first `n` bytes of `buffers`.
void consume(std::vector<asio::const_buffer>& buffers, std::size_t n) {
  std::size_t whole = 0;
  while (whole < buffers.size() && n >= buffers[whole].size()) n -= buffers[whole++].size();
  buffers.erase(buffers.begin(), buffers.begin() + static_cast<std::ptrdiff_t>(whole));
  if (!buffers.empty()) buffers.front() += n;
}

// Writes all of `buffers`, or fails with timed_out when that is still unfinished after `timeout`.
asio::awaitable<std::error_code> write_within(tcp::socket& socket,
                                              std::vector<asio::const_buffer>& buffers,
                                              asio::steady_timer& stuck,
                                              std::chrono::nanoseconds timeout) {
  // A client that keeps up takes the batch at once, with no asynchronous machinery at all.
  std::error_code ec;
  const std::size_t sent = socket.write_some(buffers, ec);
  if (ec && ec != asio::error::would_block) co_return ec;
  consume(buffers, ec ? 0 : sent);
  if (buffers.empty()) co_return std::error_code{};

  using namespace asio::experimental::awaitable_operators;
  stuck.expires_after(timeout);
  const auto done =
      co_await (asio::async_write(socket, buffers, use_nothrow) || stuck.async_wait(use_nothrow));
  if (done.index() == 1) co_return asio::error::timed_out;
  co_return std::get<0>(std::get<0>(done));
}

}  // namespace

asio::awaitable<void> client_writer(tcp::socket& socket, Client& client,
                                    std::chrono::nanoseconds write_timeout,
                                    std::function<void(std::error_code)> on_failure) {
  OutgoingQueue& queue = client.queue();
  asio::steady_timer stuck(socket.get_executor());
  std::vector<asio::const_buffer> buffers;
  std::vector<std::string> notices;  // the text of the skipped notices in a batch
  bool failed = false;
  for (;;) {
    if (!failed && !queue.empty()) {
      const auto batch = queue.start_writing(kBatchEntries, kBatchBytes);
      buffers.clear();
      notices.clear();
      notices.reserve(batch.size());  // the buffers point into them: no reallocation
      for (const Outgoing& entry : batch) {
        if (entry.message) {
          buffers.push_back(asio::buffer(*entry.message) + entry.sent);
        } else {
          notices.push_back(wire::skipped(entry.skipped));
          buffers.push_back(asio::buffer(notices.back()));
        }
      }
      const std::error_code ec = co_await write_within(socket, buffers, stuck, write_timeout);
      queue.written();
      if (ec) {
        failed = true;
        queue.abandon();
        on_failure(ec);
      }
      continue;
    }
    if (queue.closed() && (failed || queue.empty())) co_return;
    co_await client.wait_for_news();
  }
}

}  // namespace gonet
