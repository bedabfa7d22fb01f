#include "servers/chat/room_bus.hpp"

#include <algorithm>
#include <random>

#include <asio/co_spawn.hpp>
#include <asio/experimental/channel.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include "common/net/awaitable.hpp"
#include "servers/chat/broadcaster.hpp"

namespace gonet {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A node whose frames (its heartbeat comes every second) stop this long is dead: with the check
// once a second, its clients are announced gone within 10 s of its end.
constexpr auto kDeadAfter = 8s;
// Back in the room after Redis was away, a node has heard nothing of the others meanwhile. Every
// node retries within kLastRetry of Redis's return and heartbeats as it subscribes, so a node
// alive is heard within about a second; one not heard within this long died meanwhile, and its
// clients are announced gone within 5 s of Redis's return (SPEC: the room whole again).
constexpr auto kRejoinGrace = 2500ms;
// Our own heartbeat not back within this long: Redis is away (a node notices within 5 s).
constexpr auto kSilentAfter = 3s;
// Frames handed to hiredis whose replies have not come: past either bound, frames are skipped and
// counted, as a client's queue skips messages, so a stuck Redis holds no more than this.
constexpr std::size_t kMaxBacklog = 10'000;
constexpr std::size_t kMaxBacklogBytes = 16 * 1024 * 1024;
// Claimed names live this long unless their node refreshes them (every 5 s).
constexpr int kNameTtlSeconds = 15;
constexpr Clock::duration kFirstRetry = 250ms;
constexpr Clock::duration kLastRetry = 1s;

constexpr const char* kClaim =
    "for i, k in ipairs(KEYS) do local v = redis.call('get', k) "
    "if v and v ~= ARGV[1] then return 0 end end "
    "for i, k in ipairs(KEYS) do redis.call('set', k, ARGV[1], 'EX', ARGV[2]) end return 1";
constexpr const char* kRefresh =
    "for i, k in ipairs(KEYS) do local v = redis.call('get', k) "
    "if not v or v == ARGV[1] then redis.call('set', k, ARGV[1], 'EX', ARGV[2]) end end return 1";
constexpr const char* kRelease =
    "for i, k in ipairs(KEYS) do if redis.call('get', k) == ARGV[1] then redis.call('del', k) end "
    "end return 1";

std::string random_node() {
  std::random_device seed;
  std::mt19937_64 random((std::uint64_t{seed()} << 32) | seed());
  return fmt::format("{:016x}", random());
}

}  // namespace

struct RoomBus::Link {
  std::shared_ptr<RedisConnection> sub;
  std::shared_ptr<RedisConnection> pub;
  bool ended = false;
  std::string why;
};

RoomBus::RoomBus(RedisAddress redis, const std::string& room, Broadcaster& broadcaster)
    : redis_(std::move(redis)),
      channel_("gonet:chat:" + room),
      key_prefix_("gonet:chat:" + room + ":name:"),
      broadcaster_(broadcaster),
      node_(random_node()) {}

// Not a coroutine: the executor is set before any loop runs, since every loop's sessions post
// to it.
asio::awaitable<void> RoomBus::run(const asio::any_io_executor& executor) {
  executor_ = executor;
  return keep_linked();
}

asio::awaitable<void> RoomBus::keep_linked() {
  asio::steady_timer pause(executor_);
  Clock::duration retry = kFirstRetry;
  const auto sleep = [&pause](Clock::duration d) {
    pause.expires_after(d);
    return pause.async_wait(use_nothrow);
  };
  for (;;) {
    Link link;
    std::string why;
    const auto on_end = [&link](const std::string& ended_why) {
      if (link.ended) return;
      link.ended = true;
      link.why = ended_why;
    };
    link.sub = RedisConnection::connect(executor_, redis_, on_end, why);
    if (link.sub) link.pub = RedisConnection::connect(executor_, redis_, on_end, why);
    if (link.sub && link.pub && link.sub->subscribe(channel_, [this, &link](redisReply* reply) {
          on_subscription(link, reply);
        })) {
      const auto asked = Clock::now();
      while (!link.ended && !up_ && Clock::now() - asked < kSilentAfter) {
        co_await sleep(50ms);
      }
      while (up_ && !link.ended) {
        co_await sleep(1s);
        if (Clock::now() - own_heard_ > kSilentAfter) break;
        heartbeat();
        evict_the_silent();
      }
      link_ = nullptr;
      why = link.ended ? link.why : "no answer for 3s";
    }
    const bool worked = up_;
    went_down(why);
    if (link.sub) link.sub->close();
    if (link.pub) link.pub->close();
    // A quarter second, then twice as long each time, up to 1 s: Redis back is noticed within
    // 5 s (1 s here, and 3 s at most for the subscription and a heartbeat to be answered). Only a
    // link that worked starts the count again, or one connection refused while the other is
    // taken would have the clients told the servers are back and cut off, again and again.
    co_await sleep(retry);
    retry = worked ? kFirstRetry : std::min(2 * retry, kLastRetry);
  }
}

void RoomBus::went_down(const std::string& why) {
  if (up_) {
    up_ = false;
    broadcaster_.bus_down();
  }
  if (std::exchange(said_down_, true)) return;
  spdlog::warn("room {} on redis {}: {}; this server's clients chat among themselves meanwhile",
               channel_, to_string(redis_), why);
}

// Subscribed: the first heartbeat goes out, and its return is the proof that both connections
// work (joined()).
void RoomBus::subscribed(Link& link) {
  link_ = &link;
  own_heard_ = Clock::now();
  heartbeat();
}

// In the room from here: the clients hear the servers are back before anything of the room's
// (received() ignores the others' frames until now, as the node was not in it).
void RoomBus::joined() {
  up_ = true;
  said_down_ = false;
  // Silent while we were away: each has kRejoinGrace from now to be heard.
  for (auto& [node, peer] : peers_) peer.heard = own_heard_ - (kDeadAfter - kRejoinGrace);
  spdlog::info("room {} on redis {}: joined as node {}", channel_, to_string(redis_), node_);
  broadcaster_.bus_up();
}

void RoomBus::on_subscription(Link& link, redisReply* reply) {
  if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;
  const redisReply* kind = reply->element[0];
  const std::string_view what(kind->str, kind->len);
  if (what == "subscribe") {
    subscribed(link);
  } else if (what == "message" && reply->element[2]->type == REDIS_REPLY_STRING) {
    received(std::string_view(reply->element[2]->str, reply->element[2]->len));
  }
}

void RoomBus::received(std::string_view payload) {
  auto frame = decode(payload);
  if (!frame) {
    not_a_frame_.warn("room " + channel_ + ": not a frame of this version; ignored");
    return;
  }
  const bool ours = frame->node == node_;
  if (!up_ && !ours) return;
  Peer& peer = peers_[frame->node];
  const auto check = frame->kind == BusFrame::Kind::heartbeat ? peer.sequence.heartbeat(frame->seq)
                                                              : peer.sequence.next(frame->seq);
  if (check.stale) return;
  peer.heard = Clock::now();
  peer.said_dead = false;
  if (ours) {
    own_heard_ = peer.heard;
    if (!up_ && link_ != nullptr) joined();
  }
  broadcaster_.from_bus(*frame, check.missed);
  // A dead node's clients are gone on every node now: nothing more to say of it, or keep.
  if (frame->kind == BusFrame::Kind::evicted && frame->text != node_) peers_.erase(frame->text);
}

void RoomBus::publish(BusFrame::Kind kind, std::string text) {
  const std::size_t bytes = text.size();
  if (unsent_bytes_.fetch_add(bytes) + bytes > kMaxBacklogBytes) {
    unsent_bytes_ -= bytes;
    ++unsent_skipped_;
    return;
  }
  asio::post(executor_, [this, kind, bytes, text = std::move(text)]() mutable {
    unsent_bytes_ -= bytes;
    send(kind, std::move(text));
  });
}

void RoomBus::send(BusFrame::Kind kind, std::string text) {
  if (link_ == nullptr) return;
  // Only the heartbeat goes out before the node is in the room; what the broadcaster sent while
  // it was, and comes here after the bus went down, is dropped: it has gone on without the bus.
  if (!up_ && kind != BusFrame::Kind::heartbeat) return;
  // Events are numbered; a heartbeat carries the number of the last, so that a gap means lost
  // events (a lost heartbeat is no news to anyone) and shows even when no event follows.
  if (const auto skipped = unsent_skipped_.exchange(0); skipped > 0) {
    seq_ += skipped;
    skipped_ += skipped;
    backlog_full_.warn("room " + channel_ + ": this loop is 16 MiB of frames behind; skipping (" +
                       std::to_string(skipped_) + " so far)");
  }
  if (kind != BusFrame::Kind::heartbeat) ++seq_;
  BusFrame frame{node_, seq_, kind, std::move(text)};
  if (link_->pub->pending() >= kMaxBacklog || link_->pub->pending_bytes() >= kMaxBacklogBytes) {
    ++skipped_;
    backlog_full_.warn("room " + channel_ + ": redis is " + std::to_string(link_->pub->pending()) +
                       " frames behind; skipping (" + std::to_string(skipped_) + " so far)");
    return;
  }
  link_->pub->command({"PUBLISH", channel_, encode(frame)}, [](redisReply*) {});
}

void RoomBus::heartbeat() {
  std::string text;
  std::vector<std::string> keys;
  for (const auto& [member, name_keys] : broadcaster_.local_members()) {
    if (!text.empty()) text += '\t';
    text += encode(member);
    if (!name_keys.folded.empty()) keys.push_back(name_key(name_keys.folded));
    if (!name_keys.skeleton.empty()) keys.push_back(name_key(name_keys.skeleton));
  }
  // Published, not sent: it lists the clients as they are after every frame published before it,
  // so it must go out after them.
  publish(BusFrame::Kind::heartbeat, std::move(text));
  if (++beats_ % 5 == 0 && !keys.empty()) script(kRefresh, keys, node_);
}

// Said each second until an eviction of the node comes back (received() then forgets it): the
// frame may be skipped, or lost with the connection, and no other node may say it.
void RoomBus::evict_the_silent() {
  const auto now = Clock::now();
  for (auto& [node, peer] : peers_) {
    if (node == node_ || now - peer.heard < kDeadAfter) continue;
    if (!std::exchange(peer.said_dead, true)) {
      spdlog::info("room {}: node {} is silent: its clients have left", channel_, node);
    }
    std::vector<std::string> keys;
    for (const auto& name_keys : broadcaster_.name_keys_of(node)) {
      if (!name_keys.folded.empty()) keys.push_back(name_key(name_keys.folded));
      if (!name_keys.skeleton.empty()) keys.push_back(name_key(name_keys.skeleton));
    }
    // Every node that noticed sends it; the first in the bus's order is the one that counts.
    send(BusFrame::Kind::evicted, node);
    if (!keys.empty()) script(kRelease, keys, node);
  }
}

std::string RoomBus::name_key(const std::string& key) const { return key_prefix_ + key; }

void RoomBus::script(const char* body, const std::vector<std::string>& keys,
                     const std::string& owner) {
  if (link_ == nullptr) return;
  std::vector<std::string> argv = {"EVAL", body, std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.push_back(owner);
  argv.push_back(std::to_string(kNameTtlSeconds));
  link_->pub->command(argv, [](redisReply*) {});
}

void RoomBus::release(NameKeys keys) {
  asio::post(executor_, [this, keys = std::move(keys)] {
    std::vector<std::string> names = {name_key(keys.folded)};
    if (!keys.skeleton.empty()) names.push_back(name_key(keys.skeleton));
    script(kRelease, names, node_);
  });
}

asio::awaitable<bool> RoomBus::claim(NameKeys keys) {
  co_return co_await asio::co_spawn(executor_, claim_here(std::move(keys)), asio::use_awaitable);
}

asio::awaitable<bool> RoomBus::claim_here(NameKeys keys) {
  if (link_ == nullptr || !up_) co_return true;
  using Result = asio::experimental::channel<void(std::error_code, bool)>;
  auto result = std::make_shared<Result>(executor_, 1);
  std::vector<std::string> argv = {"EVAL", kClaim, keys.skeleton.empty() ? "1" : "2",
                                   name_key(keys.folded)};
  if (!keys.skeleton.empty()) argv.push_back(name_key(keys.skeleton));
  argv.push_back(node_);
  argv.push_back(std::to_string(kNameTtlSeconds));
  const bool sent = link_->pub->command(argv, [result](redisReply* reply) {
    // No answer (Redis went away meanwhile): the name is checked on this node only.
    const bool free = reply == nullptr || reply->type != REDIS_REPLY_INTEGER || reply->integer == 1;
    result->try_send(std::error_code{}, free);
  });
  if (!sent) co_return true;
  auto [ec, free] = co_await result->async_receive(use_nothrow);
  co_return ec || free;
}

}  // namespace gonet
