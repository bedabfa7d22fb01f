#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "common/net/notifier.hpp"
#include "servers/chat/outgoing_queue.hpp"

namespace gonet {

// A chat client as the broadcaster knows it, the book's `client`: its name, and the way to it,
// its outgoing queue (the book's `ch`, made bounded), which the broadcaster fills without ever
// waiting and the client's writer empties. A client that keeps up takes each message straight
// into its socket buffer, with nothing queued and no writer to wake; only while its socket is full
// do messages wait in the queue for the writer.
class Client {
 public:
  // `address` names the client in the log: never the name it chose, which is its own bytes.
  Client(const asio::any_io_executor& executor, std::string address, std::size_t max_messages,
         std::size_t max_bytes);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  const std::string& address() const { return address_; }

  // Where a message may go at once when nothing waits: the client's socket, in non-blocking mode
  // (as Listener::accept leaves it), for as long as the client. Without it, every message waits
  // in the queue for the writer.
  void write_straight_to(asio::ip::tcp::socket& socket) { socket_ = &socket; }

  // The broadcaster's side, none of which waits.
  // Queues a message for the client, unless its queue is full: then it is skipped for this client
  // alone (and a rate-limited warning says so when a run of skips begins).
  void deliver(const Message& message);
  // Queues a line of the server's own, which the client gets whatever the bounds: a prompt.
  void deliver_always(Message message);
  // The book's close(cli): no more messages; those queued still go out.
  void close();
  // The answer to the client's entering: admitted, or refused (a name taken).
  void answer(bool admitted);

  // The session's side: the broadcaster's answer to its entering.
  asio::awaitable<bool> admitted();

  // The writer's side.
  OutgoingQueue& queue() { return queue_; }
  // Waits until the queue may have changed: for the writer, when it holds nothing to write.
  asio::awaitable<void> wait_for_news() { co_await changed_.wait(); }

 private:
  // Writes `message` at once if nothing waits; true if it is taken care of (written, or its rest
  // queued for the writer).
  bool send_straight(const Message& message);

  std::string name_;
  std::string address_;
  asio::ip::tcp::socket* socket_ = nullptr;
  OutgoingQueue queue_;
  bool skipping_ = false;       // the last message was skipped
  std::optional<bool> answer_;  // to the last entering, until the session takes it
  // Something was queued, the queue closed, or an answer came. A timer, not a channel: it costs
  // the client a few dozen bytes, where a channel's buffer costs half a kilobyte.
  Notifier changed_;
};

}  // namespace gonet
