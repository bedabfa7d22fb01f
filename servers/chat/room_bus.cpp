#include "servers/chat/room_bus.hpp"

#include <algorithm>
#include <random>

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/net/awaitable.hpp"
#include "common/net/either.hpp"
#include "common/net/failure.hpp"
#include "common/text/terminal_safe.hpp"
#include "servers/chat/broadcaster.hpp"

namespace gonet {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A node's heartbeat comes every second.
constexpr auto kBeat = 1s;
// A node whose frames stop this long is dead: with the check once a second, its clients are
// announced gone within 10 s of its end.
constexpr auto kDeadAfter = 8s;
// Back in the room after Redis was away, a node has heard nothing of the others meanwhile. Every
// node retries within kLastRetry of Redis's return and heartbeats as it subscribes, so a node
// alive is heard within about a second; one not heard within this long died meanwhile, and its
// clients are announced gone within 5 s of Redis's return (SPEC: the room whole again).
constexpr auto kRejoinGrace = 2500ms;
// Our own heartbeat not back within this long (or a connection not made and logged in): Redis is
// away (a node notices within 5 s).
constexpr auto kSilentAfter = 3s;
// A frame sent longer ago than this (by the sender's clock) is a replay, or its sender's clock is
// off: dropped. Nodes' clocks must agree within it.
constexpr std::uint64_t kMaxFrameAgeMs = 30'000;
// An evicted node's numbers are kept this long after it was last heard, then forgotten: by then a
// replay of its frames is too old to be taken anyway.
constexpr auto kForgetEvictedAfter = 60s;
// Frames handed to Redis whose replies have not come: past either bound, frames are skipped and
// counted, as a client's queue skips messages, so a stuck Redis holds no more than this.
constexpr std::size_t kMaxBacklog = 10'000;
constexpr std::size_t kMaxBacklogBytes = 16 * 1024 * 1024;
// What other loops post to the bus's loop, at most.
constexpr std::size_t kMaxUnsentBytes = 16 * 1024 * 1024;
// Room in a frame for everything but its text.
constexpr std::size_t kFrameOverhead = 512;
// Nodes kept track of at most; one evicted long ago makes room for a new one.
constexpr std::size_t kMaxPeers = 4096;
// Ids of ours kept after a fresh one: a key holder could make a node change id again and again.
constexpr std::size_t kMaxFormerIds = 16;
// The publishing connection reads only short replies.
constexpr std::size_t kMaxReplyBytes = 64 * 1024;
// Claimed names live this long unless their node refreshes them (every kRefreshEvery beats).
constexpr int kNameTtlSeconds = 15;
constexpr unsigned kRefreshEvery = 5;
constexpr Clock::duration kFirstRetry = 250ms;
constexpr Clock::duration kLastRetry = 1s;

// Claims every key for ARGV[1] unless another node has one: 1 ours, 0 another's.
constexpr const char* kClaim =
    "for i, k in ipairs(KEYS) do local v = redis.call('get', k) "
    "if v and v ~= ARGV[1] then return 0 end end "
    "for i, k in ipairs(KEYS) do redis.call('set', k, ARGV[1], 'EX', ARGV[2]) end return 1";
// Keeps every key ours (or takes it, when it is free or held by ARGV[3], our former id).
constexpr const char* kRefresh =
    "for i, k in ipairs(KEYS) do local v = redis.call('get', k) "
    "if not v or v == ARGV[1] or v == ARGV[3] then redis.call('set', k, ARGV[1], 'EX', ARGV[2]) "
    "end end return 1";
// Compare and delete: a key goes only if ARGV[1] holds it.
constexpr const char* kRelease =
    "for i, k in ipairs(KEYS) do if redis.call('get', k) == ARGV[1] then redis.call('del', k) end "
    "end return 1";

std::string random_node() {
  std::random_device seed;
  std::mt19937_64 random((std::uint64_t{seed()} << 32) | seed());
  return fmt::format("{:016x}", random());
}

asio::awaitable<void> expiry(asio::steady_timer& timer) { co_await timer.async_wait(use_nothrow); }

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

// Text from outside (Redis's error replies) as a log line may show it: escaped, and short.
std::string loggable(std::string_view text) {
  constexpr std::size_t kMaxShown = 400;
  std::string shown;
  append_terminal_safe(text.substr(0, kMaxShown), shown);
  if (text.size() > kMaxShown) shown += "...";
  return shown;
}

}  // namespace

struct RoomBus::Link {
  explicit Link(const asio::any_io_executor& executor) : wake(executor) {}
  std::unique_ptr<RedisConnection> sub;
  std::unique_ptr<RedisConnection> pub;
  std::string why;          // why it ended, once it has
  asio::steady_timer wake;  // the supervisor's; cancelled when the node joins
};

RoomBus::RoomBus(BusOptions options, Broadcaster& broadcaster)
    : options_(std::move(options)),
      rules_{options_.max_line, is_member_name},
      channel_("gonet:chat:" + options_.room),
      key_prefix_("gonet:chat:" + options_.room + ":name:"),
      broadcaster_(broadcaster),
      node_(random_node()) {}

RoomBus::~RoomBus() = default;

// Not a coroutine: the executor is set before any loop runs, since every loop's sessions post
// to it.
asio::awaitable<void> RoomBus::run(const asio::any_io_executor& executor) {
  executor_ = executor;
  return keep_linked();
}

asio::awaitable<void> RoomBus::keep_linked() {
  asio::steady_timer pause(executor_);
  Clock::duration retry = kFirstRetry;
  for (;;) {
    std::string why;
    try {
      why = co_await link_once();
    } catch (...) {
      // Whatever failed, and however: the link is down, and tried again.
      why = describe(std::current_exception());
    }
    // Only a link that worked starts the count again, or one connection refused while the other
    // is taken would have the clients told the servers are back and cut off, again and again.
    const bool worked = up_;
    went_down(why);
    // A quarter second, then twice as long each time, up to 1 s: Redis back is noticed within
    // 5 s (1 s here, and 3 s at most to connect, subscribe and have a heartbeat answered).
    pause.expires_after(retry);
    co_await pause.async_wait(use_nothrow);
    retry = worked ? kFirstRetry : std::min(2 * retry, kLastRetry);
  }
}

asio::awaitable<std::string> RoomBus::link_once() {
  link_ = std::make_unique<Link>(executor_);
  // However this ends (returned, thrown, or the loop gone), the link goes with it, and nothing
  // posted to the loop afterwards finds it.
  struct Forget {
    std::unique_ptr<Link>& link;
    std::deque<Sent>& in_flight;
    ~Forget() {
      link.reset();
      in_flight.clear();
    }
  } forget{link_, in_flight_};
  asio::steady_timer deadline(executor_, kSilentAfter);
  co_await either(open_link(), expiry(deadline));
  if (!link_->pub) co_return "no answer for 3s";
  link_->sub->on_push([this](RedisReply message) { on_message(std::move(message)); });
  const std::vector<std::string> subscribe = {"SUBSCRIBE", channel_};
  link_->sub->send(subscribe, [this](std::optional<RedisReply> reply) {
    if (!reply) return;
    if (reply->type == RedisReply::Type::array && !reply->elements.empty() &&
        reply->elements[0].is("subscribe")) {
      subscribed();
    } else {
      end_link("subscribe refused: " + loggable(describe(*reply)));
    }
  });
  RedisConnection& sub = *link_->sub;
  RedisConnection& pub = *link_->pub;
  co_await either(either(sub.run(), pub.run()), supervise());
  co_return link_->why.empty() ? "connection closed" : link_->why;
}

asio::awaitable<void> RoomBus::open_link() {
  auto sub = co_await RedisConnection::open(options_.redis, kMaxFrameBytes);
  auto pub = co_await RedisConnection::open(options_.redis, kMaxReplyBytes);
  link_->sub = std::move(sub);
  link_->pub = std::move(pub);
}

asio::awaitable<void> RoomBus::supervise() {
  asio::steady_timer& wake = link_->wake;
  wake.expires_after(kSilentAfter);
  co_await wake.async_wait(use_nothrow);  // cut short by joined()
  if (!up_) {
    end_link("no answer for 3s");
    co_return;
  }
  for (;;) {
    wake.expires_after(kBeat);
    co_await wake.async_wait(use_nothrow);
    if (Clock::now() - own_heard_ > kSilentAfter) {
      end_link("no answer for 3s");
      co_return;
    }
    heartbeat();
    evict_the_silent();
  }
}

void RoomBus::end_link(const std::string& why) {
  if (!link_) return;
  if (link_->why.empty()) link_->why = why;
  if (link_->sub) link_->sub->close();
  if (link_->pub) link_->pub->close();
  link_->wake.cancel();
}

void RoomBus::went_down(const std::string& why) {
  if (up_) {
    up_ = false;
    broadcaster_.bus_down();
  }
  if (std::exchange(said_down_, true)) return;
  spdlog::warn("room {} on redis {}: {}; this server's clients chat among themselves meanwhile",
               channel_, to_string(options_.redis.address), loggable(why));
}

// Subscribed: the first heartbeat goes out, and its return is the proof that both connections
// work (joined()).
void RoomBus::subscribed() {
  own_heard_ = Clock::now();
  // Back under a fresh id: first the others forget the old one (its clients leave), then the
  // heartbeat brings them in under this one, and their names on Redis become this id's.
  if (farewell_) {
    send(BusFrame::Kind::evicted, *farewell_, true);
    adopt_names_of_ = std::exchange(farewell_, std::nullopt);
  }
  heartbeat();
}

// In the room from here: the clients hear the servers are back before anything of the room's
// (received() ignores the others' frames until now, as the node was not in it).
void RoomBus::joined() {
  up_ = true;
  said_down_ = false;
  // Silent while we were away: each has kRejoinGrace from now to be heard.
  for (auto& [node, peer] : peers_) peer.heard = own_heard_ - (kDeadAfter - kRejoinGrace);
  spdlog::info("room {} on redis {}: joined as node {}", channel_,
               to_string(options_.redis.address), node_);
  broadcaster_.bus_up();
  if (link_) link_->wake.cancel();
}

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
  ++dropped_;
  const std::string count = " (" + std::to_string(dropped_) + " dropped so far)";
  if (fault == FrameFault::not_signed || fault == FrameFault::bad_signature ||
      fault == FrameFault::too_big) {
    // Its node id is anyone's to write: not named.
    not_signed_.warn("room " + channel_ + ": dropped a frame: " + std::string(describe(fault)) +
                     count);
  } else {
    malformed_.warn("room " + channel_ + ": dropped a frame of node " + node + ": " +
                    std::string(describe(fault)) + count);
  }
}

RoomBus::Peer* RoomBus::peer_of(const std::string& node) {
  if (const auto at = peers_.find(node); at != peers_.end()) return &at->second;
  const auto now = Clock::now();
  std::erase_if(peers_, [&](const auto& each) {
    return each.second.evicted && now - each.second.heard > kForgetEvictedAfter;
  });
  if (peers_.size() >= kMaxPeers) {
    // Room is made by forgetting the evicted node heard from longest ago.
    auto oldest = peers_.end();
    for (auto at = peers_.begin(); at != peers_.end(); ++at) {
      if (at->second.evicted &&
          (oldest == peers_.end() || at->second.heard < oldest->second.heard)) {
        oldest = at;
      }
    }
    if (oldest == peers_.end()) {
      crowded_.warn("room " + channel_ + ": over " + std::to_string(kMaxPeers) +
                    " nodes; ignoring node " + node);
      return nullptr;
    }
    peers_.erase(oldest);
  }
  Peer& peer = peers_[node];
  peer.heard = now;
  return &peer;
}

void RoomBus::received(std::string_view payload) {
  auto [frame, fault] = unseal(payload, *options_.keys, channel_);
  if (!frame) {
    drop(fault);
    return;
  }
  auto [event, check_fault] = check(*frame, rules_);
  if (!event) {
    drop(check_fault, frame->node);
    return;
  }
  // Ours from before a fresh id, still on their way: no one's now.
  if (std::find(former_ids_.begin(), former_ids_.end(), frame->node) != former_ids_.end()) return;
  const bool ours = frame->node == node_;
  if (!up_ && !ours) return;
  // A replay is dropped before the node it names is taken note of: a frame sent over 30 s ago (by
  // its sender's clock; the nodes' must agree that well), or one whose number was taken. Within
  // those 30 s the numbers tell; after, the time does, so a node's numbers need not be kept longer.
  const std::uint64_t now = now_ms();
  const bool old = frame->time < now && now - frame->time > kMaxFrameAgeMs;
  const auto known = peers_.find(frame->node);
  NodeSequence sequence = known != peers_.end() ? known->second.sequence : NodeSequence{};
  if (old || sequence.taken(frame->seq)) {
    ++dropped_;
    replayed_.warn(
        "room " + channel_ + ": dropped a frame of node " + frame->node +
        (old ? " sent over 30 s ago (a replay, or its clock is off)" : " taken before (a replay)") +
        " (" + std::to_string(dropped_) + " dropped so far)");
    return;
  }
  // Checked before it is taken as ours or not: a leap no node makes is nobody's.
  const SequenceCheck check = sequence.take(*frame);
  if (check.stale) {
    drop(FrameFault::malformed, frame->node);
    return;
  }
  if (ours && !sent_by_us(*frame, payload)) {
    // A number we have not reached is someone else's use of our id; one we have is a frame of
    // ours that never came back to us (Redis dropped our subscription meanwhile), published again.
    if (frame->seq > seq_) {
      take_fresh_id();
    } else {
      ++dropped_;
      replayed_.warn("room " + channel_ +
                     ": dropped a frame of this node's sent on an earlier link "
                     "(a replay) (" +
                     std::to_string(dropped_) + " dropped so far)");
    }
    return;
  }
  Peer* peer = known != peers_.end() ? &known->second : peer_of(frame->node);
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
    if (const auto at = peers_.find(evicted->node); at != peers_.end()) at->second.evicted = true;
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
  if (pub.pending() >= kMaxBacklog || pub.pending_bytes() >= kMaxBacklogBytes) {
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
  std::vector<std::string> keys;
  // Snapshot and publish under the broadcaster's lock: the list is the clients as they are after
  // every frame published before it, so it goes out after them, and its parts one after another.
  broadcaster_.roll_call(
      [&](const std::vector<BusMember>& ours, const std::vector<NameKeys>& names) {
        for (auto& text : roll_texts(ours, kMaxFrameBytes - kFrameOverhead)) {
          publish(BusFrame::Kind::heartbeat, std::move(text));
        }
        if (++beats_ % kRefreshEvery == 0 || adopt_names_of_) keys = redis_keys(names);
      });
  if (!keys.empty()) script(kRefresh, keys, node_, adopt_names_of_.value_or(""));
  adopt_names_of_.reset();
}

// Said each second until an eviction of the node comes back (received() then marks it): the
// frame may be skipped, or lost with the connection, and no other node may say it.
void RoomBus::evict_the_silent() {
  const auto now = Clock::now();
  for (auto& [node, peer] : peers_) {
    if (node == node_ || peer.evicted || now - peer.heard < kDeadAfter) continue;
    if (!std::exchange(peer.said_dead, true)) {
      // Any key holder can make nodes up by the thousand: one line a second, the rest counted.
      silent_.warn("room " + channel_ + ": node " + node + " is silent: its clients have left");
    }
    const auto keys = redis_keys(broadcaster_.name_keys_of(node));
    // Every node that noticed sends it; the first in the bus's order is the one that counts.
    send(BusFrame::Kind::evicted, node);
    if (!keys.empty()) script(kRelease, keys, node);
  }
}

std::vector<std::string> RoomBus::redis_keys(const std::vector<NameKeys>& names) const {
  std::vector<std::string> keys;
  for (const NameKeys& name : names) {
    if (!name.folded.empty()) keys.push_back(key_prefix_ + name.folded);
    if (!name.skeleton.empty()) keys.push_back(key_prefix_ + name.skeleton);
  }
  return keys;
}

void RoomBus::script(const char* body, const std::vector<std::string>& keys,
                     const std::string& owner, const std::string& former) {
  if (!link_ || !link_->pub) return;
  std::vector<std::string> argv = {"EVAL", body, std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.push_back(owner);
  argv.push_back(std::to_string(kNameTtlSeconds));
  argv.push_back(former);
  link_->pub->send(argv, [this](std::optional<RedisReply> reply) {
    if (reply && reply->is_error()) refused("a names script (EVAL)", *reply);
  });
}

void RoomBus::release(NameKeys keys) {
  asio::post(executor_,
             [this, keys = std::move(keys)] { script(kRelease, redis_keys({keys}), node_); });
}

asio::awaitable<bool> RoomBus::claim(NameKeys keys) {
  co_return co_await asio::co_spawn(executor_, claim_here(std::move(keys)), asio::use_awaitable);
}

asio::awaitable<bool> RoomBus::claim_here(NameKeys keys) {
  if (!link_ || !link_->pub || !up_) co_return true;
  std::vector<std::string> names = redis_keys({keys});
  std::vector<std::string> argv = {"EVAL", kClaim, std::to_string(names.size())};
  argv.insert(argv.end(), names.begin(), names.end());
  argv.push_back(node_);
  argv.push_back(std::to_string(kNameTtlSeconds));
  const std::optional<RedisReply> reply = co_await link_->pub->call(std::move(argv));
  // Fail closed: only Redis's "yours" admits the name. No answer (the link went down meanwhile)
  // or any error (out of memory, read-only, no scripts) is "taken": the client tries again.
  if (reply && reply->type == RedisReply::Type::integer) co_return reply->integer == 1;
  if (reply) refused("a name claim (EVAL)", *reply);
  co_return false;
}

}  // namespace gonet
