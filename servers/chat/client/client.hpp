#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "common/net/notifier.hpp"
#include "servers/chat/client/outgoing_queue.hpp"

namespace gonet {

// A chat client as its event loop knows it, the book's `client`: its name, and the way to it, its
// outgoing queue (the book's `ch`, made bounded). The loop fills the queue without ever waiting
// and then flushes it: whatever waits for the client leaves in one gathered send, however many
// messages a round brought. Only what the socket does not take waits for the client's writer,
// which waits for the socket; meanwhile the queue fills, and then skips for this client alone.
// Everything here belongs to one event loop.
class Client {
 public:
  // `address` names the client in the log: never the name it chose, which is its own bytes.
  // `socket` is the client's, in non-blocking mode, as Listener::accept leaves it.
  Client(asio::ip::tcp::socket& socket, std::string address, std::size_t max_messages,
         std::size_t max_bytes);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Its name, set before it enters the room and fixed while it is in.
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  const std::string& address() const { return address_; }
  // Its number in the room, given as it enters (the bus names it by that).
  std::uint64_t member_id() const { return member_id_; }
  void set_member_id(std::uint64_t id) { member_id_ = id; }

  // The loop's side, none of which waits.
  // Queues a message for the client. When the queue is full, the socket first takes what it can;
  // what still does not fit is skipped for this client alone (a rate-limited warning says so
  // when a run of skips begins).
  void deliver(const Message& message);
  // Queues lines of a round the same way, in one entry (or a few, as the socket takes them);
  // from the first line that finds no room, the rest of the run is skipped.
  void deliver(const LineRun& run);
  // Sends what the queue holds, in as few sends as the socket takes, unless the writer is at it;
  // what the socket does not take is left to the writer. Returns the sends made.
  std::size_t flush();
  // The book's close(cli): no more messages; those queued still go out.
  void close();

  // The writer's side.
  OutgoingQueue& queue() { return queue_; }
  asio::ip::tcp::socket& socket() { return socket_; }
  // While the writer has the socket (from a flush the socket did not take whole until the queue
  // is empty), flush() leaves the queue to it.
  void set_writing(bool writing) { writing_ = writing; }
  // Waits until there may be something for the writer: what a flush left, or the close.
  asio::awaitable<void> wait_for_news() { co_await news_.wait(); }

  // The loop's bookkeeping: whether the client waits in this round's list of clients to flush;
  // and in round `round`, from which of its lines the client gets the rest of the round.
  bool to_flush = false;
  std::uint64_t round = 0;
  std::size_t round_from = 0;

 private:
  std::string name_;
  std::string address_;
  std::uint64_t member_id_ = 0;
  asio::ip::tcp::socket& socket_;
  OutgoingQueue queue_;
  bool writing_ = false;
  bool skipping_ = false;  // the last message was skipped

  void note_skipped(bool skipped);
  // A timer, not a channel: it costs the client a few dozen bytes, where a channel's buffer costs
  // half a kilobyte.
  Notifier news_;
};

}  // namespace gonet
