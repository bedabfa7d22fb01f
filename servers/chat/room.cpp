#include "servers/chat/room.hpp"

#include <algorithm>
#include <string_view>

#include "servers/chat/wire.hpp"

namespace gonet {
namespace {

Message message(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

}  // namespace

void Room::enter(Client& client) {
  const auto taken = std::any_of(clients_.begin(), clients_.end(), [&](const Client* other) {
    return other->name() == client.name();
  });
  if (taken) {
    client.answer(false);
    return;
  }
  client.deliver_always(message(wire::you_are(client.name())));
  if (present_) {
    std::vector<std::string_view> others;
    others.reserve(clients_.size());
    for (const Client* other : clients_) others.push_back(other->name());
    client.deliver_always(message(wire::present(others)));
  }
  broadcast(message(wire::has_arrived(client.name())));
  clients_.push_back(&client);
  client.answer(true);
}

void Room::leave(Client& client) {
  const auto at = std::find(clients_.begin(), clients_.end(), &client);
  if (at == clients_.end()) return;
  clients_.erase(at);
  client.close();
  broadcast(message(wire::has_left(client.name())));
}

void Room::broadcast(const Message& message) {
  for (Client* client : clients_) client->deliver(message);
}

}  // namespace gonet
