#include "servers/chat/room/broadcaster.hpp"

#include <algorithm>
#include <utility>

#include "servers/chat/room/wire.hpp"

namespace gonet {
namespace {

// A loop with this much waiting for it is far behind: senders wait until it catches up.
constexpr std::size_t kMaxLoopBacklogEvents = 4096;
constexpr std::size_t kMaxLoopBacklogBytes = 4 * 1024 * 1024;

constexpr std::size_t kMaxPresent = 100;

template <typename Outbox>
bool over_backlog(const Outbox& outbox) {
  return outbox.events.size() > kMaxLoopBacklogEvents || outbox.bytes > kMaxLoopBacklogBytes;
}

}  // namespace

Broadcaster::Broadcaster(bool names, bool raw) : names_(names), raw_(raw), members_(names) {
  // Made before any event loop runs, as ICU's data must be before threads share it.
  if (names_) load_name_rules();
}

void Broadcaster::join(LoopWaker& loop) {
  const std::lock_guard lock(mutex_);
  outboxes_.push_back(Outbox{&loop, {}});
}

void Broadcaster::part(LoopWaker& loop) {
  const std::lock_guard lock(mutex_);
  std::erase_if(outboxes_, [&](const Outbox& outbox) { return outbox.loop == &loop; });
}

void Broadcaster::attach(Bus& bus) {
  const std::lock_guard lock(mutex_);
  bus_ = &bus;
}

NameKeys Broadcaster::keys_of_name(const std::string& name) const {
  // An address is taken only by itself; a chosen name by whatever looks like it.
  return names_ ? keys_of(name) : NameKeys{name, {}};
}

Broadcaster::Member Broadcaster::remote(const std::string* node, const BusMember& member) const {
  // Without -names another node's client reserves nothing here: no keys kept.
  return Member{.name = member.name,
                .keys = names_ ? keys_of(member.name) : NameKeys{},
                .node = node,
                .id = member.id};
}

Message Broadcaster::says(std::string_view name, std::string_view text) const {
  return make_message(raw_ ? wire::says(name, text) : wire::says_safely(name, text));
}

asio::awaitable<bool> Broadcaster::claim(const std::string& name) {
  Bus* bus = nullptr;
  {
    const std::lock_guard lock(mutex_);
    if (names_ && on_bus()) bus = bus_;
  }
  if (bus == nullptr) co_return true;
  co_return co_await bus->claim(keys_of(name));
}

bool Broadcaster::enter(Client& client, LoopWaker& loop) {
  // The keys take ICU's time: outside the lock.
  Member newcomer{
      .client = &client, .loop = &loop, .name = client.name(), .keys = keys_of_name(client.name())};
  const std::lock_guard lock(mutex_);
  if (members_.taken(newcomer.keys)) return false;
  newcomer.id = ++next_id_;
  client.set_member_id(newcomer.id);
  if (on_bus()) {
    // In when its arrival comes back from the bus, in the room's order (from_bus).
    newcomer.arriving = true;
    bus_->publish_arrived(BusMember{newcomer.id, newcomer.name});
    members_.add(std::move(newcomer));
    return true;
  }
  admit(*members_.add(std::move(newcomer)));
  if (bus_ != nullptr) {
    cut_off_said_ = true;
    post(RoomEvent{RoomEvent::Kind::notice, make_message(std::string(wire::kCutOff)), nullptr,
                   &client},
         &loop);
  }
  return true;
}

void Broadcaster::admit(Member& member) {
  post(RoomEvent{RoomEvent::Kind::message, make_message(wire::has_arrived(member.name)), nullptr});
  if (member.client != nullptr) {
    post(RoomEvent{RoomEvent::Kind::admitted, make_message(wire::you_are(member.name)),
                   names_ ? present(member) : nullptr, member.client},
         member.loop);
  }
  member.arriving = false;
}

MemberTable::iterator Broadcaster::dismiss(MemberTable::iterator at) {
  const Member& gone = *at;
  if (gone.client != nullptr) {
    post(RoomEvent{RoomEvent::Kind::removed, nullptr, nullptr, gone.client}, gone.loop);
  }
  if (!gone.arriving) {
    post(RoomEvent{RoomEvent::Kind::message, make_message(wire::has_left(gone.name)), nullptr});
  }
  return members_.remove(at);
}

void Broadcaster::admit_remote(const std::string* node, const BusMember& member) {
  if (!members_.full(node)) admit(*members_.add(remote(node, member)));
}

Message Broadcaster::present(const Member& newcomer) const {
  const auto present = members_.present(&newcomer, kMaxPresent);
  return make_message(wire::present(present.names, present.count - present.names.size()));
}

bool Broadcaster::broadcast(const Client& from, std::string_view text) {
  const std::lock_guard lock(mutex_);
  if (on_bus()) {
    bus_->publish_said(from.member_id(), text);
  } else {
    post(RoomEvent{RoomEvent::Kind::message, says(from.name(), text), nullptr});
  }
  return !congested_;
}

void Broadcaster::leave(Client& client) {
  const std::lock_guard lock(mutex_);
  const auto at = members_.find(nullptr, client.member_id());
  if (at == members_.end() || at->client != &client) return;
  if (names_ && bus_ != nullptr) bus_->release(at->keys);
  if (!on_bus()) {
    dismiss(at);
    return;
  }
  // It gets nothing more now; the others hear it leave when its leaving comes back.
  post(RoomEvent{RoomEvent::Kind::removed, nullptr, nullptr, &client}, at->loop);
  at->client = nullptr;
  bus_->publish_left(at->id);
}

bool Broadcaster::from_bus(const std::string& node, bool ours, const BusEvent& event,
                           std::uint64_t missed) {
  const std::lock_guard lock(mutex_);
  if (missed > 0) {
    post(RoomEvent{RoomEvent::Kind::message, make_message(wire::skipped(missed)), nullptr});
  }
  const std::string* sender = ours ? nullptr : members_.node(node);
  if (const auto* said = std::get_if<BusEvent::Said>(&event.what)) {
    const auto at = ours || sender != nullptr ? members_.find(sender, said->id) : members_.end();
    if (at == members_.end()) return false;
    post(RoomEvent{RoomEvent::Kind::message, says(at->name, said->text), nullptr});
  } else if (const auto* arrived = std::get_if<BusEvent::Arrived>(&event.what)) {
    from_bus_arrived(node, ours, arrived->member);
  } else if (const auto* left = std::get_if<BusEvent::Left>(&event.what)) {
    from_bus_left(sender, ours, left->id);
  } else if (const auto* roll = std::get_if<BusEvent::Roll>(&event.what)) {
    from_bus_roll(node, ours, *roll);
  } else if (const auto* evicted = std::get_if<BusEvent::Evicted>(&event.what)) {
    if (const std::string* dead = members_.node(evicted->node)) {
      for (auto at = members_.begin(); at != members_.end();) {
        at = at->node == dead ? dismiss(at) : std::next(at);
      }
      members_.forget_if_empty(dead);
    }
  }
  return true;
}

void Broadcaster::from_bus_arrived(const std::string& node, bool ours, const BusMember& member) {
  if (ours) {
    if (const auto at = members_.find(nullptr, member.id); at != members_.end() && at->arriving) {
      admit(*at);
    }
    return;
  }
  const std::string* known = members_.node(node);
  if (known != nullptr && members_.find(known, member.id) != members_.end()) return;
  const std::string* interned = members_.intern(node);
  admit_remote(interned, member);
  members_.forget_if_empty(interned);
}

void Broadcaster::from_bus_left(const std::string* sender, bool ours, std::uint64_t id) {
  if (!ours && sender == nullptr) return;
  if (const auto at = members_.find(sender, id); at != members_.end()) dismiss(at);
  members_.forget_if_empty(sender);
}

// A node's heartbeat lists its clients as they are after every frame it sent before it (a
// node's frames keep their order on the bus), which mends what a gap or a time apart lost.
void Broadcaster::from_bus_roll(const std::string& node, bool ours, const BusEvent::Roll& roll) {
  if (ours) {
    carry_out(members_.reconcile_ours(roll), nullptr);
    return;
  }
  const std::string* interned = members_.intern(node);
  carry_out(members_.reconcile(interned, roll), interned);
  members_.forget_if_empty(interned);
}

void Broadcaster::carry_out(const MemberTable::Plan& plan, const std::string* node) {
  for (const auto at : plan.gone) dismiss(at);
  for (const BusMember& member : plan.newcomers) {
    if (members_.full(node)) break;
    admit(*members_.add(remote(node, member)));
  }
  for (const auto at : plan.in) admit(*at);
}

void Broadcaster::bus_up() {
  const std::lock_guard lock(mutex_);
  bus_up_ = true;
  if (std::exchange(cut_off_said_, false)) {
    post(RoomEvent{RoomEvent::Kind::message, make_message(std::string(wire::kServersBack)),
                   nullptr});
  }
}

void Broadcaster::bus_down() {
  const std::lock_guard lock(mutex_);
  if (!std::exchange(bus_up_, false)) return;
  cut_off_said_ = true;
  post(RoomEvent{RoomEvent::Kind::message, make_message(std::string(wire::kCutOff)), nullptr});
  // Ours whose arrival went out and never came back are in, here; ours who left and were not
  // heard leaving have left, here.
  for (auto at = members_.begin(); at != members_.end();) {
    at = at->node == nullptr && at->client == nullptr ? dismiss(at) : std::next(at);
  }
  for (Member& member : members_) {
    if (member.arriving) admit(member);
  }
}

void Broadcaster::roll_call(
    const std::function<void(const std::vector<BusMember>&, const std::vector<NameKeys>&)>& publish)
    const {
  const std::lock_guard lock(mutex_);
  const auto ours = members_.ours(names_);
  publish(ours.members, ours.keys);
}

std::vector<NameKeys> Broadcaster::name_keys_of(const std::string& node) const {
  const std::lock_guard lock(mutex_);
  const std::string* interned = members_.node(node);
  if (!names_ || interned == nullptr) return {};
  return members_.keys_of(interned);
}

bool Broadcaster::congested() const {
  const std::lock_guard lock(mutex_);
  return congested_;
}

void Broadcaster::post(const RoomEvent& event, const LoopWaker* loop) {
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

std::vector<RoomEvent> Broadcaster::take(LoopWaker& loop) {
  const std::lock_guard lock(mutex_);
  std::vector<RoomEvent> events;
  for (Outbox& outbox : outboxes_) {
    if (outbox.loop != &loop) continue;
    events.swap(outbox.events);
    outbox.bytes = 0;
    outbox.asleep = events.empty();
  }
  if (congested_ && std::none_of(outboxes_.begin(), outboxes_.end(),
                                 [](const Outbox& outbox) { return over_backlog(outbox); })) {
    congested_ = false;
    for (Outbox& outbox : outboxes_) outbox.loop->wake_senders();
  }
  return events;
}

}  // namespace gonet
