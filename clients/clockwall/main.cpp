// clockwall shows several clock servers at once, a column each (the book's exercise 8.1):
//   clockwall NewYork=localhost:8010 London=localhost:8030 Tokyo=localhost:8020
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <algorithm>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <memory>
#include <utility>
#include <vector>

#include "common/client.hpp"
#include "common/clock_wall.hpp"
#include "common/dial.hpp"
#include "common/failure.hpp"
#include "common/flags.hpp"
#include "common/line_reader.hpp"

namespace {

using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

// One clock's column: connect and show its times; when it cannot be reached, goes away or falls
// silent, show it down and try again after 1s, 2s, 4s... up to 30s, while the other columns go
// on. An outage is announced on stderr once, with its first reason, and so is the clock's return.
class Watch {
 public:
  Watch(gonet::ClockWall& wall, std::size_t column, gonet::WallClock clock, bool announce)
      : wall_(wall), column_(column), clock_(std::move(clock)), announce_(announce) {}

  asio::awaitable<void> run() {
    asio::steady_timer pause(co_await asio::this_coro::executor);
    for (;;) {
      std::string why;
      try {
        auto conn = co_await gonet::dial(clock_.server);
        why = co_await show_times(conn);
      } catch (const gonet::Failure& failure) {
        why = failure.what();
      }
      went_down(why);
      pause.expires_after(retry_);
      co_await pause.async_wait(gonet::use_nothrow);
      retry_ = std::min(retry_ * 2, std::chrono::seconds(30));
    }
  }

 private:
  // Shows each line the server sends until it goes away or falls silent for longer than a tick;
  // returns why it stopped.
  asio::awaitable<std::string> show_times(asio::ip::tcp::socket& conn) {
    gonet::LineReader lines(conn, 4096);
    asio::steady_timer silence(conn.get_executor());
    for (;;) {
      silence.expires_after(5s);
      auto got = co_await (lines.read_line() || silence.async_wait(gonet::use_nothrow));
      if (const bool silent = got.index() == 1; silent) co_return "no time for 5s";
      auto& [ec, time] = std::get<0>(got);
      if (ec == asio::error::eof) co_return "connection closed";
      if (ec == std::errc::message_size) co_return "line longer than 4096 bytes";
      if (ec) co_return "read: " + gonet::describe(ec);
      wall_.show(column_, time);
      came_back();
    }
  }

  void went_down(std::string_view why) {
    wall_.show_down(column_);
    if (std::exchange(down_, true)) return;
    if (announce_) spdlog::info("{} ({}): {}", clock_.name, gonet::to_string(clock_.server), why);
  }

  void came_back() {
    retry_ = 1s;  // the next outage starts over
    if (!std::exchange(down_, false)) return;
    if (announce_) spdlog::info("{} ({}): back", clock_.name, gonet::to_string(clock_.server));
  }

  gonet::ClockWall& wall_;
  std::size_t column_;
  gonet::WallClock clock_;
  bool announce_;  // not with -once, whose verdict is the one line
  bool down_ = false;
  std::chrono::seconds retry_ = 1s;
};

asio::awaitable<void> clockwall(gonet::ClockwallOptions options) {
  const auto executor = co_await asio::this_coro::executor;
  std::vector<std::string> names;
  for (const auto& clock : options.clocks) names.push_back(clock.name);
  gonet::ClockWall wall(executor, names, !options.once && ::isatty(STDOUT_FILENO) == 1);
  std::vector<std::unique_ptr<Watch>> watches;
  for (std::size_t column = 0; column < options.clocks.size(); ++column) {
    auto& watch = watches.emplace_back(
        std::make_unique<Watch>(wall, column, options.clocks[column], !options.once));
    asio::co_spawn(executor, watch->run(), asio::detached);
  }
  if (!options.once) co_await wall.print_rows();

  const auto silent = co_await wall.print_once(options.timeout);
  if (!silent.empty()) {
    const auto& clock = options.clocks[silent.front()];
    throw gonet::Failure("no time from " + clock.name + " (" + gonet::to_string(clock.server) +
                         ")" + (silent.size() > 1 ? " and others" : ""));
  }
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"clockwall", "Shows several clock servers at once, a column each."};
  const gonet::ClockwallOptions options = gonet::clockwall_flags(program, argc, argv);
  return gonet::run_client(clockwall(options));
}
