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

#include "common/client.hpp"
#include "common/clock_wall.hpp"
#include "common/dial.hpp"
#include "common/failure.hpp"
#include "common/flags.hpp"
#include "common/line_reader.hpp"

namespace {

using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

// Shows each line the server sends until it goes away, or falls silent for longer than a tick.
asio::awaitable<void> show_times(gonet::ClockWall& wall, std::size_t column,
                                 asio::ip::tcp::socket& conn, std::chrono::seconds& retry) {
  gonet::LineReader lines(conn, 4096);
  asio::steady_timer silence(conn.get_executor());
  for (;;) {
    silence.expires_after(5s);
    auto got = co_await (lines.read_line() || silence.async_wait(gonet::use_nothrow));
    if (got.index() == 1) co_return;
    auto& [ec, time] = std::get<0>(got);
    if (ec) co_return;
    wall.show(column, time);
    retry = 1s;  // it answers again: the next outage starts over
  }
}

// One clock's column: connect and show its times; when it cannot be reached or goes away, show
// it down and try again after 1s, 2s, 4s... up to 30s, while the other columns go on.
asio::awaitable<void> watch(gonet::ClockWall& wall, std::size_t column, gonet::WallClock clock) {
  auto retry = 1s;
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (;;) {
    try {
      auto conn = co_await gonet::dial(clock.server);
      co_await show_times(wall, column, conn, retry);
      spdlog::debug("{} ({}) went away", clock.name, gonet::to_string(clock.server));
    } catch (const gonet::Failure& failure) {
      spdlog::debug("{}: {}", clock.name, failure.what());
    }
    wall.show_down(column);
    pause.expires_after(retry);
    co_await pause.async_wait(gonet::use_nothrow);
    retry = std::min(retry * 2, std::chrono::seconds(30));
  }
}

asio::awaitable<void> clockwall(gonet::ClockwallOptions options) {
  const auto executor = co_await asio::this_coro::executor;
  std::vector<std::string> names;
  for (const auto& clock : options.clocks) names.push_back(clock.name);
  gonet::ClockWall wall(executor, names, !options.once && ::isatty(STDOUT_FILENO) == 1);
  for (std::size_t column = 0; column < options.clocks.size(); ++column) {
    asio::co_spawn(executor, watch(wall, column, options.clocks[column]), asio::detached);
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
