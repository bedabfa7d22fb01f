// RoomBus: the frames that come back from the room's channel, checked before the room hears them.
#include <algorithm>
#include <string>

#include <spdlog/spdlog.h>

#include "servers/chat/bus/room_bus.hpp"
#include "servers/chat/bus/room_bus_parts.hpp"
#include "servers/chat/room/broadcaster.hpp"

namespace gonet {
namespace {

using room_bus::Clock;
using room_bus::now_ms;
using room_bus::random_node;

// A frame sent longer ago than this (by the sender's clock) is a replay, or its sender's clock is
// off: dropped. Nodes' clocks must agree within it.
constexpr std::uint64_t kMaxFrameAgeMs = 30'000;
// Ids of ours kept after a fresh one: a key holder could make a node change id again and again.
constexpr std::size_t kMaxFormerIds = 16;

}  // namespace

void RoomBus::on_message(RedisReply message) {
  if (message.elements.size() != 3 || !message.elements[1].is(channel_)) return;
  const RedisReply& payload = message.elements[2];
  // A bulk string too long for a frame comes as a nil (RedisReader): never held whole.
  if (payload.type != RedisReply::Type::string) {
    drop(FrameFault::too_big);
    return;
  }
  received(payload.text);
}

void RoomBus::drop(FrameFault fault, const std::string& node) {
  if (fault == FrameFault::not_signed || fault == FrameFault::bad_signature ||
      fault == FrameFault::too_big) {
    // Its node id is anyone's to write: not named.
    warn_dropped(not_signed_, "a frame: " + std::string(describe(fault)));
  } else {
    warn_dropped(malformed_, "a frame of node " + node + ": " + std::string(describe(fault)));
  }
}

Peer* RoomBus::peer_of(const std::string& node) {
  if (Peer* peer = peers_.add(node, Clock::now())) return peer;
  crowded_.warn("room " + channel_ + ": over " + std::to_string(Peers::kMaxPeers) +
                " nodes; ignoring node " + node);
  return nullptr;
}
void RoomBus::warn_dropped(RateLimitedWarning& warning, const std::string& what) {
  ++dropped_;
  warning.warn("room " + channel_ + ": dropped " + what + " (" + std::to_string(dropped_) +
               " dropped so far)");
}

// A frame sent over kMaxFrameAgeMs ago (by its sender's clock; the nodes' must agree that well),
// or one whose number was taken. Within that time the numbers tell; after, the time does, so a
// node's numbers need not be kept longer.
bool RoomBus::replayed(const BusFrame& frame, const NodeSequence& sequence) {
  const std::uint64_t now = now_ms();
  const bool old = frame.time < now && now - frame.time > kMaxFrameAgeMs;
  if (!old && !sequence.taken(frame.seq)) return false;
  warn_dropped(replayed_, "a frame of node " + frame.node +
                              (old ? " sent over 30 s ago (a replay, or its clock is off)"
                                   : " taken before (a replay)"));
  return true;
}

bool RoomBus::ours_indeed(const BusFrame& frame, std::string_view payload) {
  if (sent_by_us(frame, payload)) return true;
  // A number we have not reached is someone else's use of our id; one we have is a frame of
  // ours that never came back to us (Redis dropped our subscription meanwhile), published again.
  if (frame.seq > seq_) {
    take_fresh_id();
  } else {
    warn_dropped(replayed_, "a frame of this node's sent on an earlier link (a replay)");
  }
  return false;
}

void RoomBus::received(std::string_view payload) {
  auto [frame, fault] = unseal(payload, *options_.keys, channel_);
  if (!frame) return drop(fault);
  auto [event, check_fault] = check(*frame, rules_);
  if (!event) return drop(check_fault, frame->node);
  // Ours from before a fresh id, still on their way: no one's now.
  if (std::find(former_ids_.begin(), former_ids_.end(), frame->node) != former_ids_.end()) return;
  const bool ours = frame->node == node_;
  if (!up_ && !ours) return;
  // A replay is dropped before the node it names is taken note of.
  Peer* known = peers_.find(frame->node);
  NodeSequence sequence = known != nullptr ? known->sequence : NodeSequence{};
  if (replayed(*frame, sequence)) return;
  // Checked before it is taken as ours or not: a leap no node makes is nobody's.
  const SequenceCheck check = sequence.take(*frame);
  if (check.stale) return drop(FrameFault::malformed, frame->node);
  if (ours && !ours_indeed(*frame, payload)) return;
  Peer* peer = known != nullptr ? known : peer_of(frame->node);
  if (peer == nullptr) return;
  peer->sequence = sequence;
  peer->heard = Clock::now();
  peer->said_dead = false;
  peer->evicted = false;  // evicted while alive (cut off for a while): back now
  if (ours) {
    own_heard_ = peer->heard;
    if (!up_ && link_) joined();
  }
  const auto* evicted = std::get_if<BusEvent::Evicted>(&event->what);
  // Another node thinks this one dead: it is not, and its next heartbeat says so.
  if (evicted != nullptr && evicted->node == node_) return;
  if (!broadcaster_.from_bus(frame->node, ours, *event, check.missed)) {
    drop(FrameFault::stranger, frame->node);
  }
  // A dead node's clients are gone on every node now; its numbers are kept while a replay of its
  // frames could still be recent enough to be taken.
  if (evicted != nullptr) {
    if (Peer* dead = peers_.find(evicted->node)) dead->evicted = true;
  }
}

bool RoomBus::sent_by_us(const BusFrame& frame, std::string_view payload) {
  // Ours come back in the order we sent them; one Redis refused never comes.
  while (!in_flight_.empty() && in_flight_.front().seq < frame.seq) in_flight_.pop_front();
  if (in_flight_.empty() || in_flight_.front().seq != frame.seq) return false;
  const bool same = payload.substr(3, in_flight_.front().mac.size()) == in_flight_.front().mac;
  if (same) in_flight_.pop_front();
  return same;
}

void RoomBus::take_fresh_id() {
  spdlog::warn(
      "room {}: heard node id {} in a frame this node did not send; taking a fresh id "
      "and joining again",
      channel_, node_);
  former_ids_.push_back(node_);
  if (former_ids_.size() > kMaxFormerIds) former_ids_.pop_front();
  peers_.erase(node_);
  farewell_ = node_;
  node_ = random_node();
  said_down_ = true;  // the warning above is the one
  end_link("another used this node's id");
}

}  // namespace gonet
