#include "clients/clockwall/watch.hpp"

#include <algorithm>
#include <utility>

#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "common/net/awaitable.hpp"
#include "common/net/failure.hpp"
#include "common/net/line_reader.hpp"

namespace gonet {

using namespace std::chrono_literals;

asio::awaitable<void> Watch::run() {
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (;;) {
    std::string why;
    try {
      auto conn = co_await dialer_.dial(clock_.server);
      why = co_await show_times(conn);
    } catch (const Failure& failure) {
      why = failure.what();
    }
    went_down(why);
    pause.expires_after(retry_);
    co_await pause.async_wait(use_nothrow);
    retry_ = std::min(retry_ * 2, std::chrono::seconds(30));
  }
}

// Shows each line the server sends until it goes away, falls silent for longer than a tick or
// floods; returns why it stopped.
asio::awaitable<std::string> Watch::show_times(Conn& conn) {
  LineReader lines(conn, 4096);
  asio::steady_timer silence(conn.get_executor());
  const auto connected = std::chrono::steady_clock::now();
  auto window = connected;
  int in_window = 0;
  for (;;) {
    auto got = co_await lines.read_line_within(silence, 5s);
    if (!got) co_return "no time for 5s";
    auto& [ec, time] = *got;
    if (ec == asio::error::eof) co_return "connection closed";
    if (ec == std::errc::message_size) co_return "line longer than 4096 bytes";
    if (ec) co_return "read: " + describe(ec);
    const auto now = std::chrono::steady_clock::now();
    if (now - window >= 1s) {
      window = now;
      in_window = 0;
    }
    // Reading on would cost a core for lines no one can see change.
    if (++in_window > kMaxLinesPerSecond) {
      flooding_ = true;
      co_return fmt::format("flooding: more than {} lines a second", kMaxLinesPerSecond);
    }
    wall_.show(column_, time);
    // A clock that flooded is back once it has kept time for a second; until then its first
    // lines are no answer, or it would be retried at once each time, where a silent one waits.
    if (!flooding_ || now - connected >= 1s) {
      flooding_ = false;
      came_back();
    }
  }
}

void Watch::went_down(std::string_view why) {
  wall_.show_down(column_);
  if (std::exchange(down_, true)) return;
  why_down_ = why;
  if (announce_) spdlog::info("{} ({}): {}", clock_.name, to_string(clock_.server), why);
}

void Watch::came_back() {
  retry_ = 1s;  // the next outage starts over
  if (!std::exchange(down_, false)) return;
  why_down_.clear();
  if (announce_) spdlog::info("{} ({}): back", clock_.name, to_string(clock_.server));
}

}  // namespace gonet
