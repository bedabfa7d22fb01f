#include "servers/chat/room/loop_room.hpp"

#include <algorithm>
#include <chrono>

#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include "common/net/awaitable.hpp"
#include "common/net/memory.hpp"

namespace gonet {
namespace {

// A round that took longer than this is followed by a rest, if the next one comes at once.
constexpr std::chrono::microseconds kPaceAbove{200};

// Events in a round past which the memory its queues took is given back to the system.
constexpr std::size_t kBigRound = 64;

}  // namespace

LoopRoom::LoopRoom(const asio::any_io_executor& executor, Broadcaster& broadcaster)
    : executor_(executor),
      broadcaster_(broadcaster),
      news_(executor),
      uncongested_(executor),
      pause_(executor) {
  broadcaster_.join(*this);
}

LoopRoom::~LoopRoom() { broadcaster_.part(*this); }

asio::awaitable<void> LoopRoom::say(const Client& from, std::string_view text) {
  if (!broadcaster_.broadcast(from, text)) {
    while (broadcaster_.congested()) co_await uncongested_.wait();
  }
  co_await asio::post(executor_, asio::use_awaitable);
}

asio::awaitable<void> LoopRoom::deliver() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point rest_until;
  for (;;) {
    std::vector<RoomEvent> events = broadcaster_.take(*this);
    if (events.empty()) {
      co_await news_.wait();
      continue;
    }
    // After a round of several events that cost the loop real time (a send to each of a crowd),
    // the loop's sessions get half as long again before the next: what they say and who arrives
    // or leaves meanwhile makes that round bigger, not more frequent. So under a storm of
    // arrivals, leavings or lines, rounds take at most two thirds of the loop and grow with the
    // storm; a round of one event, or one after a quiet spell, is followed by the next at once.
    if (Clock::now() < rest_until) {
      pause_.expires_at(rest_until);
      co_await pause_.async_wait(use_nothrow);
      for (RoomEvent& event : broadcaster_.take(*this)) events.push_back(std::move(event));
    }
    const auto start = Clock::now();
    play(events);
    flush_round();
    // A big round grew every client's queue for a moment: hand the memory back to the system,
    // or a crowd that arrived at once would keep its peak.
    if (events.size() >= kBigRound) give_back_free_memory_soon(executor_);
    const auto end = Clock::now();
    rest_until = events.size() > 1 && end - start > kPaceAbove ? end + (end - start) / 2 : end;
    // The loop's sessions take their turn before the next round.
    co_await asio::post(executor_, asio::use_awaitable);
  }
}

Message LoopRoom::join_lines(const std::vector<RoomEvent>& events) {
  round_ends_.clear();
  Message text;
  std::string joined;
  for (const RoomEvent& event : events) {
    if (event.kind != RoomEvent::Kind::message || event.line->empty()) continue;
    if (round_ends_.empty()) {
      text = event.line;  // a round of one line shares it as it is
    } else {
      if (round_ends_.size() == 1) joined = *text;
      joined.append(*event.line);
    }
    round_ends_.push_back(round_ends_.size() == 0 ? text->size() : joined.size());
  }
  if (round_ends_.size() > 1) text = make_message(std::move(joined));
  return text;
}

void LoopRoom::play(const std::vector<RoomEvent>& events) {
  const Message text = join_lines(events);
  ++round_;
  std::size_t line = 0;  // the round's lines before the event at hand
  // The lines of the round up to `upto` that `client` has not been given yet.
  const auto lines_for = [&](const Client& client, std::size_t upto) {
    return LineRun{text, round_ends_, client.round == round_ ? client.round_from : 0, upto};
  };
  const auto given_up_to = [&](Client& client, std::size_t upto) {
    client.round = round_;
    client.round_from = upto;
  };
  for (const RoomEvent& event : events) {
    switch (event.kind) {
      case RoomEvent::Kind::message:
        if (!event.line->empty()) ++line;
        break;
      case RoomEvent::Kind::admitted:
        clients_.push_back(event.client);
        event.client->deliver(event.line);
        if (event.present) event.client->deliver(event.present);
        given_up_to(*event.client, line);
        flush_later(*event.client);
        break;
      case RoomEvent::Kind::removed:
        if (const auto at = std::find(clients_.begin(), clients_.end(), event.client);
            at != clients_.end()) {
          event.client->deliver(lines_for(*event.client, line));
          clients_.erase(at);
        }
        event.client->close();  // what is queued still goes out, in this round's flush
        flush_later(*event.client);
        break;
      case RoomEvent::Kind::notice:
        if (std::find(clients_.begin(), clients_.end(), event.client) == clients_.end()) break;
        event.client->deliver(lines_for(*event.client, line));
        event.client->deliver(event.line);
        given_up_to(*event.client, line);
        flush_later(*event.client);
        break;
    }
  }
  if (line == 0) return;
  for (Client* client : clients_) client->deliver(lines_for(*client, line));
  flush_all_ = true;
}

void LoopRoom::flush_later(Client& client) {
  if (client.to_flush) return;
  client.to_flush = true;
  to_flush_.push_back(&client);
}

void LoopRoom::flush_round() {
  if (flush_all_) {
    for (Client* client : clients_) client->flush();
    flush_all_ = false;
  }
  for (Client* client : to_flush_) {
    client->flush();
    client->to_flush = false;
  }
  to_flush_.clear();
}

void LoopRoom::wake() {
  asio::post(executor_, [this] { news_.notify_all(); });
}

void LoopRoom::wake_senders() {
  asio::post(executor_, [this] { uncongested_.notify_all(); });
}

}  // namespace gonet
