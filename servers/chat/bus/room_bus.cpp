// RoomBus: the link to Redis, kept up, and the node in the room or on its own.
#include "servers/chat/bus/room_bus.hpp"

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
#include "common/text/duration.hpp"
#include "common/text/terminal_safe.hpp"
#include "servers/chat/bus/room_bus_parts.hpp"
#include "servers/chat/room/broadcaster.hpp"

namespace gonet {
namespace {

using namespace std::chrono_literals;
using room_bus::Clock;

// The publishing connection reads only short replies.
constexpr std::size_t kMaxReplyBytes = 64 * 1024;

std::string no_answer_within(std::chrono::milliseconds silent_after) {
  return "no answer for " + format_duration(silent_after);
}

asio::awaitable<void> expiry(asio::steady_timer& timer) { co_await timer.async_wait(use_nothrow); }

}  // namespace

namespace room_bus {

std::string random_node() {
  std::random_device seed;
  std::mt19937_64 random((std::uint64_t{seed()} << 32) | seed());
  return fmt::format("{:016x}", random());
}

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

}  // namespace room_bus

using room_bus::loggable;
using room_bus::random_node;

RoomBus::RoomBus(BusOptions options, Broadcaster& broadcaster)
    : options_(std::move(options)),
      rules_{options_.max_line, is_member_name},
      channel_("gonet:chat:" + options_.room),
      names_(options_.room),
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
  const BusTimings& timings = options_.timings;
  Clock::duration retry = timings.first_retry;
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
    // Redis back is noticed within last_retry and silent_after: 5 s by default.
    pause.expires_after(retry);
    co_await pause.async_wait(use_nothrow);
    retry = worked ? Clock::duration(timings.first_retry)
                   : std::min(2 * retry, Clock::duration(timings.last_retry));
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
  asio::steady_timer deadline(executor_, options_.timings.silent_after);
  co_await either(open_link(), expiry(deadline));
  if (!link_->pub) co_return no_answer_within(options_.timings.silent_after);
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
  const BusTimings& timings = options_.timings;
  wake.expires_after(timings.silent_after);
  co_await wake.async_wait(use_nothrow);  // cut short by joined()
  if (!up_) {
    end_link(no_answer_within(options_.timings.silent_after));
    co_return;
  }
  for (;;) {
    wake.expires_after(timings.beat);
    co_await wake.async_wait(use_nothrow);
    if (Clock::now() - own_heard_ > timings.silent_after) {
      end_link(no_answer_within(options_.timings.silent_after));
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
  // Silent while we were away: each has rejoin_grace from now to be heard.
  const BusTimings& timings = options_.timings;
  for (auto& [node, peer] : peers_) {
    peer.heard = own_heard_ - (timings.dead_after - timings.rejoin_grace);
  }
  spdlog::info("room {} on redis {}: joined as node {}", channel_,
               to_string(options_.redis.address), node_);
  broadcaster_.bus_up();
  if (link_) link_->wake.cancel();
}

}  // namespace gonet
