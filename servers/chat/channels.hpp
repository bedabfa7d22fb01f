#pragma once

#include <array>
#include <cstddef>
#include <system_error>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/experimental/channel.hpp>

#include "servers/chat/client.hpp"
#include "servers/chat/outgoing_queue.hpp"

namespace gonet {

using ClientChannel = asio::experimental::channel<void(std::error_code, Client*)>;
using MessageChannel = asio::experimental::channel<void(std::error_code, Message)>;

// The only ways into the broadcaster, the book's three channels. Unbuffered, as in the book: a
// send completes when the broadcaster has taken it, so what one client sends (its entering, its
// messages, its leaving) reaches the broadcaster in the order it was sent, and a client that
// floods waits for its turn behind the others, whose sends queue in the order they came.
struct Channels {
  explicit Channels(const asio::any_io_executor& executor)
      : entering(executor, 0), leaving(executor, 0), messages(executor, 0) {}
  ClientChannel entering;
  ClientChannel leaving;
  MessageChannel messages;  // all incoming client messages
};

// One value taken from one of the channels.
struct Received {
  enum class From { entering, leaving, messages };
  From from = From::messages;
  Client* client = nullptr;  // entering and leaving
  Message message;           // messages
};

// What one select took: one value from each channel that had one, in the order they came.
struct Selected {
  std::array<Received, 3> values;
  std::size_t count = 0;
  const Received* begin() const { return values.data(); }
  const Received* end() const { return values.data() + count; }
};

// The book's select over entering, leaving and messages: waits until one of them has a value.
// Two or three may come at once, and none is lost: each is returned, in the order it came, which
// keeps each client's own order (its message before its leaving).
asio::awaitable<Selected> select(Channels& channels);

}  // namespace gonet
