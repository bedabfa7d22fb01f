// RoomBus: the frames and name claims that go out, in the order the room made them.
#include <algorithm>
#include <string>

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include "servers/chat/bus/room_bus.hpp"
#include "servers/chat/bus/room_bus_parts.hpp"
#include "servers/chat/room/broadcaster.hpp"

namespace gonet {
namespace {

using room_bus::Clock;
using room_bus::loggable;
using room_bus::now_ms;

// Frames handed to Redis whose replies have not come: past either bound, frames are skipped and
// counted, as a client's queue skips messages, so a stuck Redis holds no more than this.
constexpr std::size_t kMaxRedisPendingFrames = 10'000;
constexpr std::size_t kMaxRedisPendingBytes = 16 * 1024 * 1024;
// What other loops post to the bus's loop, at most.
constexpr std::size_t kMaxUnsentBytes = 16 * 1024 * 1024;
// Room in a frame for everything but its text.
constexpr std::size_t kFrameOverhead = 512;

}  // namespace

void RoomBus::publish_arrived(const BusMember& member) {
  publish(BusFrame::Kind::arrived, arrived_text(member));
}

void RoomBus::publish_said(std::uint64_t id, std::string_view text) {
  publish(BusFrame::Kind::message, said_text(id, text));
}

void RoomBus::publish_left(std::uint64_t id) { publish(BusFrame::Kind::left, left_text(id)); }

void RoomBus::publish(BusFrame::Kind kind, std::string text) {
  const std::size_t bytes = text.size();
  if (unsent_bytes_.fetch_add(bytes) + bytes > kMaxUnsentBytes) {
    unsent_bytes_ -= bytes;
    if (kind != BusFrame::Kind::heartbeat) ++unsent_skipped_;
    return;
  }
  asio::post(executor_, [this, kind, bytes, text = std::move(text)]() mutable {
    unsent_bytes_ -= bytes;
    send(kind, std::move(text));
  });
}

void RoomBus::send(BusFrame::Kind kind, std::string text, bool before_joining) {
  if (!link_ || !link_->pub) return;
  // Only the heartbeat (and a farewell to a former id) goes out before the node is in the room;
  // what the broadcaster sent while it was, and comes here after the bus went down, is dropped:
  // it has gone on without the bus.
  if (!up_ && kind != BusFrame::Kind::heartbeat && !before_joining) return;
  // Events are numbered; a heartbeat carries the number of the last, so that a gap means lost
  // events (a lost heartbeat is no news to anyone) and shows even when no event follows.
  if (const auto skipped = unsent_skipped_.exchange(0); skipped > 0) {
    events_ += skipped;
    skipped_ += skipped;
    backlog_full_.warn("room " + channel_ + ": this loop is 16 MiB of frames behind; skipping (" +
                       std::to_string(skipped_) + " so far)");
  }
  if (kind != BusFrame::Kind::heartbeat) ++events_;
  RedisConnection& pub = *link_->pub;
  if (pub.pending() >= kMaxRedisPendingFrames || pub.pending_bytes() >= kMaxRedisPendingBytes) {
    ++skipped_;
    backlog_full_.warn("room " + channel_ + ": redis is " + std::to_string(pub.pending()) +
                       " frames behind; skipping (" + std::to_string(skipped_) + " so far)");
    return;
  }
  // However many were skipped, no frame leaps further than the others take from a node.
  events_ = std::min(events_, events_sent_ + NodeSequence::kMaxLeap);
  events_sent_ = events_;
  const BusFrame frame{node_, ++seq_, events_, now_ms(), kind, std::move(text)};
  std::vector<std::string> argv = {"PUBLISH", channel_, seal(frame, *options_.keys, channel_)};
  // "g2 <TAB> MAC": how our own frames are known when they come back.
  in_flight_.push_back(Sent{frame.seq, argv[2].substr(3, 64)});
  pub.send(argv, [this](std::optional<RedisReply> reply) {
    if (reply && reply->is_error()) refused("PUBLISH", *reply);
  });
}

void RoomBus::refused(const std::string& what, const RedisReply& reply) {
  ++redis_errors_;
  redis_refused_.warn("room " + channel_ + ": redis refused " + what + ": " + loggable(reply.text) +
                      " (" + std::to_string(redis_errors_) + " errors so far)");
}

void RoomBus::heartbeat() {
  std::vector<std::string> refresh;
  // Snapshot and publish under the broadcaster's lock: the list is the clients as they are after
  // every frame published before it, so it goes out after them, and its parts one after another.
  broadcaster_.roll_call(
      [&](const std::vector<BusMember>& ours, const std::vector<NameKeys>& names) {
        for (auto& text : roll_texts(ours, kMaxFrameBytes - kFrameOverhead)) {
          publish(BusFrame::Kind::heartbeat, std::move(text));
        }
        if (++beats_ % NameClaims::kRefreshEveryBeats == 0 || adopt_names_of_) {
          refresh = names_.refresh(names, node_, adopt_names_of_.value_or(""));
        }
      });
  send_names_command(std::move(refresh));
  adopt_names_of_.reset();
}

// Said each second until an eviction of the node comes back (received() then marks it): the
// frame may be skipped, or lost with the connection, and no other node may say it.
void RoomBus::evict_the_silent() {
  const auto now = Clock::now();
  for (auto& [node, peer] : peers_) {
    if (node == node_ || peer.evicted || now - peer.heard < options_.timings.dead_after) continue;
    if (!std::exchange(peer.said_dead, true)) {
      // Any key holder can make nodes up by the thousand: one line a second, the rest counted.
      silent_.warn("room " + channel_ + ": node " + node + " is silent: its clients have left");
    }
    // Every node that noticed sends it; the first in the bus's order is the one that counts.
    send(BusFrame::Kind::evicted, node);
    send_names_command(names_.release(broadcaster_.name_keys_of(node), node));
  }
}

void RoomBus::send_names_command(std::vector<std::string> argv) {
  if (!link_ || !link_->pub || argv.empty()) return;  // no keys, nothing to do
  link_->pub->send(argv, [this](std::optional<RedisReply> reply) {
    if (reply && reply->is_error()) refused("a names script (EVAL)", *reply);
  });
}

void RoomBus::release(NameKeys keys) {
  asio::post(executor_,
             [this, keys = std::move(keys)] { send_names_command(names_.release({keys}, node_)); });
}

asio::awaitable<bool> RoomBus::claim(NameKeys keys) {
  co_return co_await asio::co_spawn(executor_, claim_here(std::move(keys)), asio::use_awaitable);
}

asio::awaitable<bool> RoomBus::claim_here(NameKeys keys) {
  if (!link_ || !link_->pub || !up_) co_return true;
  const std::optional<RedisReply> reply = co_await link_->pub->call(names_.claim(keys, node_));
  // Fail closed: only Redis's "yours" admits the name. No answer (the link went down meanwhile)
  // or any error (out of memory, read-only, no scripts) is "taken": the client tries again.
  if (reply && reply->type == RedisReply::Type::integer) co_return reply->integer == 1;
  if (reply) refused("a name claim (EVAL)", *reply);
  co_return false;
}

}  // namespace gonet
