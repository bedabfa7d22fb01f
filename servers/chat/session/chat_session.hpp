#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <asio/awaitable.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "common/net/connection.hpp"
#include "common/net/line_reader.hpp"
#include "common/net/task_group.hpp"
#include "servers/chat/client/client.hpp"
#include "servers/chat/room/loop_room.hpp"
#include "servers/chat/session/address_buckets.hpp"
#include "servers/chat/session/session_options.hpp"

namespace gonet {

// One connection of the chat server, the book's handleConn less its loop: the client as its event
// loop knows it, its writer (the book's clientWriter, running from construction until finish()),
// and its lines in, taken at most -rate a second (for its address) and watched for -idle-timeout.
// Nothing is lost at the end: the client gets every message queued for it before its leaving, then
// EOF. The options must outlive it.
class ChatSession {
 public:
  // `rates`: the -rate buckets of every client's address, shared by the server's loops.
  ChatSession(Connection& conn, const SessionOptions& options, AddressBuckets& rates);
  ChatSession(const ChatSession&) = delete;
  ChatSession& operator=(const ChatSession&) = delete;

  Client& client() { return client_; }

  // Names the client and brings it into `room`; true once it is in. By default its name is its
  // address; with -names it is asked for one until it gives one that is allowed and not taken.
  // False when the client goes before it is in.
  asio::awaitable<bool> enter(LoopRoom& room);

  // The next line the client sends, when -rate lets it be taken, or nullopt when there is none
  // to come: it closed or half-closed, sent a line over -max-line, sent no line for
  // -idle-timeout, could not take its messages, or failed.
  asio::awaitable<std::optional<std::string>> next_line();

  // Waits until every message queued for the client has gone out (after its leaving, the
  // broadcaster queues no more), then ends the connection and logs why.
  asio::awaitable<void> finish();

 private:
  // A line of the server's own to this client alone, before it is in the room.
  void reply(std::string_view line);
  // Waits until -rate lets the line read be taken; false if reading stopped meanwhile.
  asio::awaitable<bool> pace();
  asio::awaitable<void> watch_for_idleness();
  void stop_reading(std::error_code why);

  Connection& conn_;
  const SessionOptions& options_;
  Client client_;
  LineReader<asio::ip::tcp::socket> lines_;
  asio::steady_timer idle_;
  AddressBuckets::Hold tokens_;  // its address's bucket, shared with its other connections
  asio::steady_timer pace_;
  asio::cancellation_signal stop_idle_read_;  // cancels the read alone, not a write in flight
  bool reading_ = false;  // waiting for a line (not for the broadcaster to take one)
  std::chrono::steady_clock::time_point reading_since_;
  std::error_code why_;  // why no more lines come
  bool finishing_ = false;
  bool writes_failed_ = false;
  bool entered_ = false;
  TaskGroup tasks_;  // last: the writer and the idle watch use the rest
};

}  // namespace gonet
