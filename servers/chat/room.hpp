#pragma once

#include <vector>

#include "servers/chat/client.hpp"
#include "servers/chat/outgoing_queue.hpp"

namespace gonet {

// The broadcaster's clients, the book's `clients` map, in the order they arrived. Only the
// broadcaster touches it, and nothing here waits: a broadcast to a client that is slow costs
// that client a skipped message, and nobody else anything.
class Room {
 public:
  // `present`: tell a newcomer who is there (-names).
  explicit Room(bool present) : present_(present) {}

  // Admits `client`, unless another has its name: then it is told it was refused. A newcomer
  // hears "You are NAME" (and with `present`, who is there); everyone else "NAME has arrived".
  void enter(Client& client);
  // The book's delete(clients, cli) and close(cli); everyone else hears "NAME has left".
  void leave(Client& client);
  // The message to every client, the sender included.
  void broadcast(const Message& message);

  std::size_t size() const { return clients_.size(); }

 private:
  std::vector<Client*> clients_;
  bool present_;
};

}  // namespace gonet
