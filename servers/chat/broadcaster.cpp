#include "servers/chat/broadcaster.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "servers/chat/loop_room.hpp"
#include "servers/chat/room_bus.hpp"
#include "servers/chat/wire.hpp"

namespace gonet {
namespace {

// A loop that has this much waiting for it is far behind: senders wait until it catches up.
constexpr std::size_t kMaxBacklogEvents = 4096;
constexpr std::size_t kMaxBacklogBytes = 4 * 1024 * 1024;

// `Present:` names at most this many others, the earliest to arrive.
constexpr std::size_t kMaxPresent = 100;

// Another node's clients kept at most: more than any one server serves (its descriptors), so
// only a key holder gone wrong meets it, and it cannot grow the room without bound.
constexpr std::size_t kMaxMembersPerNode = 100'000;

Message line(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

void count_in(std::unordered_map<std::string, std::size_t>& keys, const std::string& key) {
  if (!key.empty()) ++keys[key];
}

void count_out(std::unordered_map<std::string, std::size_t>& keys, const std::string& key) {
  if (const auto at = keys.find(key); at != keys.end() && --at->second == 0) keys.erase(at);
}

}  // namespace

Broadcaster::Broadcaster(bool names, bool raw) : names_(names), raw_(raw) {
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

NameKeys Broadcaster::keys_of_remote(const std::string& name) const {
  // Without -names another node's client reserves nothing here (reserves_name): no keys kept.
  return names_ ? keys_of(name) : NameKeys{};
}

bool Broadcaster::taken(const NameKeys& keys) const {
  return folded_.contains(keys.folded) ||
         (!keys.skeleton.empty() && skeletons_.contains(keys.skeleton));
}

void Broadcaster::attach(RoomBus& bus) {
  const std::lock_guard lock(mutex_);
  bus_ = &bus;
}

RoomBus* Broadcaster::bus_for_names() const {
  const std::lock_guard lock(mutex_);
  return names_ && on_bus() ? bus_ : nullptr;
}

bool Broadcaster::enter(Client& client, LoopRoom& loop) {
  // The keys take ICU's time: outside the lock.
  Member newcomer{&client, &loop, client.name(), keys_of_name(client.name()), nullptr, 0, false};
  const std::lock_guard lock(mutex_);
  if (taken(newcomer.keys)) return false;
  newcomer.id = ++next_id_;
  client.set_member_id(newcomer.id);
  if (on_bus()) {
    // In when its arrival comes back from the bus, in the room's order (from_bus).
    newcomer.pending = true;
    bus_->publish(BusFrame::Kind::arrived, arrived_text(BusMember{newcomer.id, newcomer.name}));
    add(std::move(newcomer));
    return true;
  }
  arrive(*add(std::move(newcomer)));
  if (bus_ != nullptr) {
    cut_off_said_ = true;
    post(RoomEvent{RoomEvent::Kind::notice, line(std::string(wire::kCutOff)), nullptr, &client},
         &loop);
  }
  return true;
}

// A chosen name is the room's; an address is only its own node's to keep unique: another node's
// client may have the same one (two machines' clients behind one NAT, or a port used again to
// another node), as two connections to one server cannot.
bool Broadcaster::reserves_name(const Member& member) const {
  return names_ || member.node == nullptr;
}

Broadcaster::Members::iterator Broadcaster::add(Member member) {
  if (reserves_name(member)) {
    count_in(folded_, member.keys.folded);
    count_in(skeletons_, member.keys.skeleton);
  }
  if (member.node != nullptr) ++nodes_.find(*member.node)->second;
  const MemberKey key{member.node, member.id};
  const auto at = members_.insert(members_.end(), std::move(member));
  index_.emplace(key, at);
  return at;
}

void Broadcaster::arrive(Member& member) {
  post(RoomEvent{RoomEvent::Kind::message, line(wire::has_arrived(member.name)), nullptr});
  if (member.client != nullptr) {
    // Present: the others, so before it counts as in.
    member.pending = true;
    post(RoomEvent{RoomEvent::Kind::admitted, line(wire::you_are(member.name)),
                   names_ ? present() : nullptr, member.client},
         member.loop);
  }
  member.pending = false;
}

Broadcaster::Members::iterator Broadcaster::remove(Members::iterator at) {
  const Member& gone = *at;
  if (reserves_name(gone)) {
    count_out(folded_, gone.keys.folded);
    count_out(skeletons_, gone.keys.skeleton);
  }
  if (gone.client != nullptr) {
    post(RoomEvent{RoomEvent::Kind::removed, nullptr, nullptr, gone.client}, gone.loop);
  }
  if (!gone.pending) {
    post(RoomEvent{RoomEvent::Kind::message, line(wire::has_left(gone.name)), nullptr});
  }
  index_.erase(MemberKey{gone.node, gone.id});
  if (gone.node != nullptr) --nodes_.find(*gone.node)->second;
  return members_.erase(at);
}

template <typename Predicate>
void Broadcaster::remove_if(Predicate leaves) {
  for (auto at = members_.begin(); at != members_.end();) {
    at = leaves(*at) ? remove(at) : std::next(at);
  }
}

Broadcaster::Members::iterator Broadcaster::find(const std::string* node, std::uint64_t id) {
  const auto at = index_.find(MemberKey{node, id});
  return at == index_.end() ? members_.end() : at->second;
}

const std::string* Broadcaster::find_node(const std::string& node) const {
  const auto at = nodes_.find(node);
  return at == nodes_.end() ? nullptr : &at->first;
}

const std::string* Broadcaster::intern(const std::string& node) {
  return &nodes_.try_emplace(node, 0).first->first;
}

bool Broadcaster::full(const std::string* node) const {
  return nodes_.find(*node)->second >= kMaxMembersPerNode;
}

void Broadcaster::forget_if_empty(const std::string* node) {
  if (node == nullptr) return;
  if (const auto at = nodes_.find(*node); at != nodes_.end() && at->second == 0) nodes_.erase(at);
}

Message Broadcaster::present() const {
  std::vector<std::string_view> names;
  std::size_t others = 0;
  for (const Member& member : members_) {
    if (member.pending) continue;
    ++others;
    if (names.size() < kMaxPresent) names.push_back(member.name);
  }
  return line(wire::present(names, others - names.size()));
}

bool Broadcaster::broadcast(const Client& from, std::string_view text) {
  const std::lock_guard lock(mutex_);
  if (on_bus()) {
    bus_->publish(BusFrame::Kind::message, said_text(from.member_id(), text));
  } else {
    post(
        RoomEvent{RoomEvent::Kind::message,
                  line(raw_ ? wire::says(from.name(), text) : wire::says_safely(from.name(), text)),
                  nullptr});
  }
  return !congested_;
}

void Broadcaster::leave(Client& client) {
  const std::lock_guard lock(mutex_);
  const auto at = find(nullptr, client.member_id());
  if (at == members_.end() || at->client != &client) return;
  if (names_ && bus_ != nullptr) bus_->release(at->keys);
  if (!on_bus()) {
    remove(at);
    return;
  }
  // It gets nothing more now; the others hear it leave when its leaving comes back.
  post(RoomEvent{RoomEvent::Kind::removed, nullptr, nullptr, &client}, at->loop);
  at->client = nullptr;
  bus_->publish(BusFrame::Kind::left, left_text(at->id));
}

bool Broadcaster::from_bus(const std::string& node, bool ours, const BusEvent& event,
                           std::uint64_t missed) {
  const std::lock_guard lock(mutex_);
  if (missed > 0) post(RoomEvent{RoomEvent::Kind::message, line(wire::skipped(missed)), nullptr});
  const std::string* sender = ours ? nullptr : find_node(node);
  if (const auto* said = std::get_if<BusEvent::Said>(&event.what)) {
    const auto at = ours || sender != nullptr ? find(sender, said->id) : members_.end();
    if (at == members_.end()) return false;
    post(RoomEvent{
        RoomEvent::Kind::message,
        line(raw_ ? wire::says(at->name, said->text) : wire::says_safely(at->name, said->text)),
        nullptr});
  } else if (const auto* arrived = std::get_if<BusEvent::Arrived>(&event.what)) {
    if (ours) {
      if (const auto at = find(nullptr, arrived->member.id); at != members_.end() && at->pending) {
        arrive(*at);  // ours, now in
      }
    } else if (sender == nullptr || find(sender, arrived->member.id) == members_.end()) {
      const std::string* interned = intern(node);
      if (!full(interned)) {
        const std::string& name = arrived->member.name;
        arrive(*add(Member{nullptr, nullptr, name, keys_of_remote(name), interned,
                           arrived->member.id, false}));
      }
      forget_if_empty(interned);
    }
  } else if (const auto* left = std::get_if<BusEvent::Left>(&event.what)) {
    if (ours || sender != nullptr) {
      if (const auto at = find(sender, left->id); at != members_.end()) remove(at);
      forget_if_empty(sender);
    }
  } else if (const auto* roll = std::get_if<BusEvent::Roll>(&event.what)) {
    if (ours) {
      reconcile_ours(*roll);
    } else {
      reconcile(sender != nullptr ? sender : intern(node), *roll);
    }
  } else if (const auto* evicted = std::get_if<BusEvent::Evicted>(&event.what)) {
    if (const std::string* dead = find_node(evicted->node)) {
      remove_if([&](const Member& m) { return m.node == dead; });
      forget_if_empty(dead);
    }
  }
  return true;
}

// A node's heartbeat lists its clients as they are after every frame it sent before it (a
// node's frames keep their order on the bus): who is missing has left, who is new has arrived,
// which mends what a gap or a time apart lost.
void Broadcaster::reconcile(const std::string* node, const BusEvent::Roll& roll) {
  const auto in_range = [&](std::uint64_t id) { return id >= roll.first && id <= roll.last; };
  // Once a second per node, with every client of the room: sets, not a search per member.
  std::unordered_set<std::uint64_t> listed;
  for (const BusMember& member : roll.members) listed.insert(member.id);
  remove_if(
      [&](const Member& m) { return m.node == node && in_range(m.id) && !listed.contains(m.id); });
  for (const BusMember& member : roll.members) {
    if (find(node, member.id) != members_.end()) continue;
    if (full(node)) break;
    arrive(*add(Member{nullptr, nullptr, member.name, keys_of_remote(member.name), node, member.id,
                       false}));
  }
  forget_if_empty(node);
}

// Ours, listed as they were after every frame we published before it, as the others read it
// (reconcile): one whose arrival the bus skipped is in now, and one who left and whose leaving
// it skipped is gone. (Almost always there is neither: then the list is not read.)
void Broadcaster::reconcile_ours(const BusEvent::Roll& roll) {
  const auto unsettled = [&](const Member& m) {
    return m.node == nullptr && m.id >= roll.first && m.id <= roll.last &&
           (m.pending || m.client == nullptr);
  };
  if (std::none_of(members_.begin(), members_.end(), unsettled)) return;
  std::unordered_set<std::uint64_t> listed;
  for (const BusMember& member : roll.members) listed.insert(member.id);
  remove_if([&](const Member& m) {
    return unsettled(m) && m.client == nullptr && !listed.contains(m.id);
  });
  for (Member& member : members_) {
    if (unsettled(member) && member.pending && listed.contains(member.id)) arrive(member);
  }
}

void Broadcaster::bus_up() {
  const std::lock_guard lock(mutex_);
  bus_up_ = true;
  if (std::exchange(cut_off_said_, false)) {
    post(RoomEvent{RoomEvent::Kind::message, line(std::string(wire::kServersBack)), nullptr});
  }
}

void Broadcaster::bus_down() {
  const std::lock_guard lock(mutex_);
  if (!std::exchange(bus_up_, false)) return;
  cut_off_said_ = true;
  post(RoomEvent{RoomEvent::Kind::message, line(std::string(wire::kCutOff)), nullptr});
  // Ours whose arrival went out and never came back are in, here; ours who left and were not
  // heard leaving have left, here.
  remove_if([&](const Member& m) { return m.node == nullptr && m.client == nullptr; });
  for (Member& member : members_) {
    if (member.pending) arrive(member);
  }
}

void Broadcaster::roll_call(
    const std::function<void(const std::vector<BusMember>&, const std::vector<NameKeys>&)>& publish)
    const {
  const std::lock_guard lock(mutex_);
  std::vector<BusMember> ours;
  std::vector<NameKeys> keys;
  for (const Member& member : members_) {
    if (member.node != nullptr || member.client == nullptr) continue;
    ours.push_back(BusMember{member.id, member.name});
    if (names_) keys.push_back(member.keys);
  }
  publish(ours, keys);
}

std::vector<NameKeys> Broadcaster::name_keys_of(const std::string& node) const {
  const std::lock_guard lock(mutex_);
  std::vector<NameKeys> keys;
  const std::string* interned = find_node(node);
  if (!names_ || interned == nullptr) return keys;
  for (const Member& member : members_) {
    if (member.node == interned) keys.push_back(member.keys);
  }
  return keys;
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
