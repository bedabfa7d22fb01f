#include "servers/chat/session/chat_session.hpp"

#include <algorithm>

#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "common/net/awaitable.hpp"
#include "common/net/log.hpp"
#include "common/net/session_end.hpp"
#include "common/text/duration.hpp"
#include "servers/chat/client/client_writer.hpp"
#include "servers/chat/room/names.hpp"
#include "servers/chat/room/wire.hpp"

namespace gonet {
namespace {

// Per client, at most this much waits to be written, whatever -queue says (SPEC: 1 MiB).
constexpr std::size_t kMaxQueuedBytes = 1024 * 1024;

}  // namespace

ChatSession::ChatSession(Connection& conn, const SessionOptions& options, AddressBuckets& rates)
    : conn_(conn),
      options_(options),
      client_(conn.socket(), to_string(conn.peer()), options.queue, kMaxQueuedBytes),
      lines_(conn.socket(), options.max_line),
      idle_(conn.socket().get_executor()),
      tokens_(rates.hold(conn.peer().address(), std::chrono::steady_clock::now())),
      pace_(conn.socket().get_executor()),
      tasks_(conn.socket().get_executor()) {
  // go clientWriter(conn, ch)
  tasks_.spawn(client_writer(client_, options.write_timeout, [this](std::error_code why) {
    writes_failed_ = true;
    if (why == asio::error::timed_out) {
      spdlog::debug("{}: a write stuck for {}", client_.address(),
                    format_duration(options_.write_timeout));
    }
    // A client that cannot take its messages is gone: it leaves, and the others hear of it.
    stop_reading(why);
  }));
  if (options.idle_timeout.count() > 0) {
    idle_.expires_after(options.idle_timeout);
    tasks_.spawn(watch_for_idleness());
  }
}

void ChatSession::reply(std::string_view line) {
  // Bounded as a message is: a client that sends names without reading the answers fills its
  // queue, and then skips them, like any other.
  client_.deliver(make_message(std::string(line)));
  client_.flush();
}

asio::awaitable<bool> ChatSession::enter(LoopRoom& room) {
  if (!options_.names) {
    client_.set_name(name_of(conn_.peer()));
    entered_ = room.enter(client_);
    co_return entered_;
  }
  reply(wire::kEnterYourName);
  while (auto line = co_await next_line()) {
    ChosenName chosen = choose_name(*line);
    switch (chosen.verdict) {
      case ChosenName::Verdict::empty:
        reply(wire::kNameEmpty);
        break;
      case ChosenName::Verdict::not_allowed:
        reply(wire::kNameNotAllowed);
        break;
      case ChosenName::Verdict::allowed:
        client_.set_name(std::move(chosen.name));
        if (co_await room.claim(client_.name()) && room.enter(client_)) {
          entered_ = true;
          co_return true;
        }
        reply(wire::kNameTaken);
        break;
    }
    // And it waits its turn, as a line to the room does: a flood of names must not keep the
    // loop from the others.
    co_await asio::post(conn_.socket().get_executor(), asio::use_awaitable);
  }
  co_return false;
}

asio::awaitable<bool> ChatSession::pace() {
  if (options_.rate == 0) co_return true;
  for (auto wait = tokens_.take(std::chrono::steady_clock::now()); wait.count() > 0;
       wait = tokens_.take(std::chrono::steady_clock::now())) {
    // The line waits, and the lines after it wait unread in the client's socket: TCP holds the
    // flooder back.
    pace_.expires_after(wait);
    co_await pace_.async_wait(use_nothrow);
    if (why_) co_return false;
  }
  co_return true;
}

asio::awaitable<std::optional<std::string>> ChatSession::next_line() {
  if (why_) co_return std::nullopt;
  reading_ = true;
  reading_since_ = std::chrono::steady_clock::now();
  auto [ec, line] = co_await lines_.read_line(stop_idle_read_.slot());
  reading_ = false;
  if (why_) co_return std::nullopt;  // stopped while reading: a line that came meanwhile is dropped
  if (ec) {
    if (ec == std::errc::message_size) {
      // One per event loop, as the accept warnings are: any client can provoke it at will.
      thread_local RateLimitedWarning too_long;
      too_long.warn(fmt::format("{}: line longer than {} bytes; disconnecting it",
                                client_.address(), lines_.max_line()));
    }
    if (!why_) why_ = ec;  // a stop_reading() reason stands over the operation_aborted it caused
    co_return std::nullopt;
  }
  // A token for each line that came, once it has come: a connection that sends nothing, or
  // closes, takes none from the others of its address.
  if (!co_await pace()) co_return std::nullopt;
  co_return std::optional<std::string>(std::move(line));
}

// One timer for the session's life, woken once per timeout rather than set for every line: a
// chat client may send many lines a second, and most clients wait a long time between them.
asio::awaitable<void> ChatSession::watch_for_idleness() {
  const auto timeout = options_.idle_timeout;
  for (;;) {
    co_await idle_.async_wait(use_nothrow);
    if (why_ || finishing_) co_return;
    const auto now = std::chrono::steady_clock::now();
    if (reading_ && now - reading_since_ >= timeout) {
      spdlog::debug("{}: no line for {}", client_.address(), format_duration(timeout));
      why_ = asio::error::timed_out;
      // The read alone: a write in flight to the client finishes, so no line is torn.
      stop_idle_read_.emit(asio::cancellation_type::terminal);
      co_return;
    }
    // Only time spent waiting for a line counts, not time the broadcaster takes to take one.
    idle_.expires_at(reading_ ? reading_since_ + timeout : now + timeout);
  }
}

asio::awaitable<void> ChatSession::finish() {
  finishing_ = true;
  idle_.cancel();
  // Once admitted, the client's queue is the broadcaster's to close, at its leaving.
  if (!entered_) client_.close();
  co_await tasks_.wait();
  const SessionEnd end{
      .why = why_,
      .writes_failed = writes_failed_,
      .largest_buffer = std::max(lines_.buffer_size(), client_.queue().most_bytes())};
  co_await end_session(conn_, end);
}

void ChatSession::stop_reading(std::error_code why) {
  if (!why_) why_ = why;
  lines_.stop();
  pace_.cancel();
}

}  // namespace gonet
