#include "servers/chat/client/client.hpp"

#include <array>
#include <utility>

#include <fmt/format.h>

#include "common/net/gathered_send.hpp"
#include "common/net/log.hpp"

namespace gonet {

Client::Client(asio::ip::tcp::socket& socket, std::string address, std::size_t max_messages,
               std::size_t max_bytes)
    : address_(std::move(address)),
      socket_(socket),
      queue_(max_messages, max_bytes),
      news_(socket.get_executor()) {}

void Client::deliver(const Message& message) {
  if (!queue_.accepting()) return;
  // A round may bring more than the queue holds for a client that keeps up: its socket takes
  // the first part before anything is skipped.
  if (!queue_.has_room_for(message)) flush();
  note_skipped(!queue_.push(message));
}

void Client::deliver(const LineRun& run) {
  LineRun rest = run;
  while (queue_.accepting() && rest.lines() > 0) {
    if (!queue_.has_room_for(rest)) flush();
    const std::size_t queued = queue_.push(rest);
    rest.first += queued;
    if (queued == 0) {
      queue_.skip(rest.lines());
      note_skipped(true);
      return;
    }
    if (rest.lines() == 0) note_skipped(false);
  }
}

void Client::note_skipped(bool skipped) {
  if (skipped && !skipping_) {
    // One per event loop: any client can provoke it at will, by not reading.
    thread_local RateLimitedWarning too_slow;
    too_slow.warn(fmt::format("{}: too slow to take its messages; skipping some for it", address_));
  }
  skipping_ = skipped;
}

std::size_t Client::flush() {
  std::size_t sends = 0;
  // One per event loop, made once: a flush runs for every client in every round.
  thread_local std::array<asio::const_buffer, kMaxGatheredBuffers> buffers;
  while (!writing_ && !queue_.empty()) {
    const std::size_t count = queue_.gather(buffers);
    std::error_code ec;
    const std::size_t sent = send_gathered(socket_, std::span(buffers.data(), count), ec);
    ++sends;
    queue_.consume(sent);
    std::size_t gathered = 0;
    for (std::size_t i = 0; i < count; ++i) gathered += buffers[i].size();
    // The socket is full, or failed: the writer takes over, waits for it (or meets the error
    // and reports it), and until the queue is empty no flush tries the socket again.
    if (ec || sent < gathered) {
      writing_ = true;
      news_.notify_all();
      break;
    }
  }
  return sends;
}

void Client::close() {
  queue_.close();
  news_.notify_all();
}

}  // namespace gonet
