#include "servers/chat/broadcaster.hpp"

#include <algorithm>
#include <string_view>

#include "servers/chat/loop_room.hpp"
#include "servers/chat/wire.hpp"

namespace gonet {
namespace {

// A loop that has this much waiting for it is far behind: senders wait until it catches up.
constexpr std::size_t kMaxBacklogEvents = 4096;
constexpr std::size_t kMaxBacklogBytes = 4 * 1024 * 1024;

// `Present:` names at most this many others, the earliest to arrive.
constexpr std::size_t kMaxPresent = 100;

Message line(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

}  // namespace

Broadcaster::Broadcaster(bool names) : names_(names) {
  // Made before any event loop runs, as ICU's data must be before threads share it.
  if (names_) load_name_rules();
}

void Broadcaster::join(LoopRoom& loop) {
  const std::lock_guard lock(mutex_);
  outboxes_.push_back(Outbox{&loop, {}});
}

void Broadcaster::part(LoopRoom& loop) {
  const std::lock_guard lock(mutex_);
  std::erase_if(outboxes_, [&](const Outbox& outbox) { return outbox.loop == &loop; });
}

NameKeys Broadcaster::keys_of_name(const std::string& name) const {
  // An address is taken only by itself; a chosen name by whatever looks like it.
  return names_ ? keys_of(name) : NameKeys{name, {}};
}

bool Broadcaster::taken(const NameKeys& keys) const {
  return folded_.contains(keys.folded) ||
         (!keys.skeleton.empty() && skeletons_.contains(keys.skeleton));
}

bool Broadcaster::enter(Client& client, LoopRoom& loop) {
  // The keys take ICU's time: outside the lock.
  Member newcomer{&client, &loop, client.name(), keys_of_name(client.name())};
  const std::lock_guard lock(mutex_);
  if (taken(newcomer.keys)) return false;
  post(RoomEvent{RoomEvent::Kind::message, line(wire::has_arrived(newcomer.name)), nullptr});
  post(RoomEvent{RoomEvent::Kind::admitted, line(wire::you_are(newcomer.name)),
                 names_ ? present() : nullptr, &client},
       &loop);
  folded_.insert(newcomer.keys.folded);
  if (!newcomer.keys.skeleton.empty()) skeletons_.insert(newcomer.keys.skeleton);
  members_.push_back(std::move(newcomer));
  return true;
}

Message Broadcaster::present() const {
  std::vector<std::string_view> names;
  for (const Member& member : members_) {
    if (names.size() == kMaxPresent) break;
    names.push_back(member.name);
  }
  return line(wire::present(names, members_.size() - names.size()));
}

bool Broadcaster::broadcast(Message message) {
  const std::lock_guard lock(mutex_);
  post(RoomEvent{RoomEvent::Kind::message, std::move(message), nullptr});
  return !congested_;
}

void Broadcaster::leave(Client& client) {
  const std::lock_guard lock(mutex_);
  const auto at = std::find_if(members_.begin(), members_.end(),
                               [&](const Member& member) { return member.client == &client; });
  if (at == members_.end()) return;
  const Member gone = std::move(*at);
  members_.erase(at);
  folded_.erase(gone.keys.folded);
  skeletons_.erase(gone.keys.skeleton);
  post(RoomEvent{RoomEvent::Kind::removed, nullptr, nullptr, &client}, gone.loop);
  post(RoomEvent{RoomEvent::Kind::message, line(wire::has_left(gone.name)), nullptr});
}

bool Broadcaster::congested() const {
  const std::lock_guard lock(mutex_);
  return congested_;
}

bool Broadcaster::over_backlog(const Outbox& outbox) const {
  return outbox.events.size() > kMaxBacklogEvents || outbox.bytes > kMaxBacklogBytes;
}

void Broadcaster::post(const RoomEvent& event, const LoopRoom* loop) {
  const std::size_t bytes =
      (event.line ? event.line->size() : 0) + (event.present ? event.present->size() : 0);
  for (Outbox& outbox : outboxes_) {
    if (loop != nullptr && outbox.loop != loop) continue;
    outbox.events.push_back(event);
    outbox.bytes += bytes;
    if (outbox.asleep) {
      outbox.asleep = false;
      outbox.loop->wake();
    }
    if (over_backlog(outbox)) congested_ = true;
  }
}

std::vector<RoomEvent> Broadcaster::take(LoopRoom& loop) {
  const std::lock_guard lock(mutex_);
  std::vector<RoomEvent> events;
  for (Outbox& outbox : outboxes_) {
    if (outbox.loop != &loop) continue;
    events.swap(outbox.events);
    outbox.bytes = 0;
    outbox.asleep = events.empty();
  }
  if (congested_ && std::none_of(outboxes_.begin(), outboxes_.end(),
                                 [&](const Outbox& outbox) { return over_backlog(outbox); })) {
    congested_ = false;
    for (Outbox& outbox : outboxes_) outbox.loop->wake_senders();
  }
  return events;
}

}  // namespace gonet
