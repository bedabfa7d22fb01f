#include "servers/chat/broadcaster.hpp"

#include <algorithm>
#include <string_view>

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
  Member newcomer{&client, &loop, client.name(), keys_of_name(client.name()), {}, 0, false};
  const std::lock_guard lock(mutex_);
  if (taken(newcomer.keys)) return false;
  newcomer.id = ++next_id_;
  if (bus_ != nullptr) newcomer.node = bus_->node();
  if (on_bus()) {
    // In when its arrival comes back from the bus, in the room's order (from_bus).
    newcomer.pending = true;
    bus_->publish(BusFrame::Kind::arrived, encode(BusMember{newcomer.id, newcomer.name}));
    add(std::move(newcomer));
    return true;
  }
  add(std::move(newcomer));
  arrive(members_.back());
  if (bus_ != nullptr) {
    cut_off_said_ = true;
    post(RoomEvent{RoomEvent::Kind::notice, line(std::string(wire::kCutOff)), nullptr, &client},
         &loop);
  }
  return true;
}

// A chosen name is the room's; an address is only this node's to keep unique: another node's
// client may have the same one (two machines' clients behind one NAT, or a port used again to
// another node), as two connections to one server cannot.
bool Broadcaster::reserves_name(const Member& member) const {
  return names_ || bus_ == nullptr || member.node == bus_->node();
}

void Broadcaster::add(Member member) {
  if (reserves_name(member)) {
    folded_.insert(member.keys.folded);
    if (!member.keys.skeleton.empty()) skeletons_.insert(member.keys.skeleton);
  }
  members_.push_back(std::move(member));
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

std::vector<Broadcaster::Member>::iterator Broadcaster::remove(std::vector<Member>::iterator at) {
  const Member gone = std::move(*at);
  const auto next = members_.erase(at);
  left(gone);
  return next;
}

template <typename Predicate>
void Broadcaster::remove_if(Predicate leaves) {
  auto kept = members_.begin();
  for (auto at = members_.begin(); at != members_.end(); ++at) {
    if (leaves(*at)) {
      left(*at);
    } else {
      if (kept != at) *kept = std::move(*at);
      ++kept;
    }
  }
  members_.erase(kept, members_.end());
}

void Broadcaster::left(const Member& gone) {
  if (reserves_name(gone)) {
    folded_.erase(gone.keys.folded);
    skeletons_.erase(gone.keys.skeleton);
  }
  if (gone.client != nullptr) {
    post(RoomEvent{RoomEvent::Kind::removed, nullptr, nullptr, gone.client}, gone.loop);
  }
  if (!gone.pending) {
    post(RoomEvent{RoomEvent::Kind::message, line(wire::has_left(gone.name)), nullptr});
  }
}

std::vector<Broadcaster::Member>::iterator Broadcaster::find(const std::string& node,
                                                             std::uint64_t id) {
  return std::find_if(members_.begin(), members_.end(),
                      [&](const Member& member) { return member.id == id && member.node == node; });
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

bool Broadcaster::broadcast(Message message) {
  const std::lock_guard lock(mutex_);
  if (on_bus()) {
    bus_->publish(BusFrame::Kind::message, *message);
  } else {
    post(RoomEvent{RoomEvent::Kind::message, std::move(message), nullptr});
  }
  return !congested_;
}

void Broadcaster::leave(Client& client) {
  const std::lock_guard lock(mutex_);
  const auto at = std::find_if(members_.begin(), members_.end(),
                               [&](const Member& member) { return member.client == &client; });
  if (at == members_.end()) return;
  if (names_ && bus_ != nullptr) bus_->release(at->keys);
  if (!on_bus()) {
    remove(at);
    return;
  }
  // It gets nothing more now; the others hear it leave when its leaving comes back.
  post(RoomEvent{RoomEvent::Kind::removed, nullptr, nullptr, &client}, at->loop);
  at->client = nullptr;
  bus_->publish(BusFrame::Kind::left, encode(BusMember{at->id, at->name}));
}

void Broadcaster::from_bus(const BusFrame& frame, std::uint64_t missed) {
  const std::lock_guard lock(mutex_);
  if (missed > 0) post(RoomEvent{RoomEvent::Kind::message, line(wire::skipped(missed)), nullptr});
  switch (frame.kind) {
    case BusFrame::Kind::message:
      post(RoomEvent{RoomEvent::Kind::message, line(frame.text), nullptr});
      break;
    case BusFrame::Kind::arrived:
      if (const auto member = decode_member(frame.text)) {
        if (const auto at = find(frame.node, member->id); at != members_.end()) {
          if (at->pending) arrive(*at);  // ours, now in
        } else if (frame.node != (bus_ ? bus_->node() : "")) {
          add(Member{nullptr, nullptr, member->name, keys_of_name(member->name), frame.node,
                     member->id, false});
          arrive(members_.back());
        }
      }
      break;
    case BusFrame::Kind::left:
      if (const auto member = decode_member(frame.text)) {
        if (const auto at = find(frame.node, member->id); at != members_.end()) remove(at);
      }
      break;
    case BusFrame::Kind::heartbeat:
      if (bus_ == nullptr) break;
      if (frame.node != bus_->node()) {
        reconcile(frame.node, frame.text);
        break;
      }
      // Ours, listed as they were after every frame we published before it, as the others read
      // it (reconcile): one whose arrival the bus skipped is in now, and one who left and whose
      // leaving it skipped is gone. (Almost always there is neither: then the list is not read.)
      if (std::any_of(members_.begin(), members_.end(), [&](const Member& m) {
            return m.node == frame.node && (m.pending || m.client == nullptr);
          })) {
        std::unordered_set<std::uint64_t> listed;
        for (const BusMember& member : decode_members(frame.text)) listed.insert(member.id);
        remove_if([&](const Member& m) {
          return m.node == frame.node && m.client == nullptr && !listed.contains(m.id);
        });
        for (Member& member : members_) {
          if (member.node == frame.node && member.pending && listed.contains(member.id)) {
            arrive(member);
          }
        }
      }
      break;
    case BusFrame::Kind::evicted:
      if (bus_ != nullptr && frame.text != bus_->node()) {
        remove_if([&](const Member& m) { return m.node == frame.text; });
      }
      break;
  }
}

// A node's heartbeat lists its clients as they are after every frame it sent before it (a
// node's frames keep their order on the bus): who is missing has left, who is new has arrived,
// which mends what a gap or a time apart lost.
void Broadcaster::reconcile(const std::string& node, const std::string& heartbeat) {
  // Once a second per node, with every client of the room: sets, not a search per member.
  const std::vector<BusMember> listed = decode_members(heartbeat);
  std::unordered_set<std::uint64_t> listed_ids;
  for (const BusMember& member : listed) listed_ids.insert(member.id);
  std::unordered_set<std::uint64_t> known;
  remove_if([&](const Member& m) {
    if (m.node != node) return false;
    if (!listed_ids.contains(m.id)) return true;
    known.insert(m.id);
    return false;
  });
  for (const BusMember& member : listed) {
    if (!known.insert(member.id).second) continue;
    add(Member{nullptr, nullptr, member.name, keys_of_name(member.name), node, member.id, false});
    arrive(members_.back());
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
  const std::string self = bus_->node();
  remove_if([&](const Member& m) { return m.node == self && m.client == nullptr; });
  for (Member& member : members_) {
    if (member.pending) arrive(member);
  }
}

std::vector<std::pair<BusMember, NameKeys>> Broadcaster::local_members() const {
  const std::lock_guard lock(mutex_);
  std::vector<std::pair<BusMember, NameKeys>> ours;
  const std::string self = bus_ != nullptr ? bus_->node() : "";
  for (const Member& member : members_) {
    if (member.node != self || member.client == nullptr) continue;
    ours.emplace_back(BusMember{member.id, member.name}, names_ ? member.keys : NameKeys{});
  }
  return ours;
}

std::vector<NameKeys> Broadcaster::name_keys_of(const std::string& node) const {
  const std::lock_guard lock(mutex_);
  std::vector<NameKeys> keys;
  if (!names_) return keys;
  for (const Member& member : members_) {
    if (member.node == node) keys.push_back(member.keys);
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
