// clockwall shows several clock servers at once, a column each (the book's exercise 8.1):
//   clockwall NewYork=localhost:8010 London=localhost:8030 Tokyo=localhost:8020
#include <unistd.h>

#include <memory>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/this_coro.hpp>
#include <spdlog/spdlog.h>

#include "clients/clockwall/clock_wall.hpp"
#include "clients/clockwall/clockwall_options.hpp"
#include "clients/clockwall/watch.hpp"
#include "common/cli/program.hpp"
#include "common/net/client.hpp"
#include "common/net/failure.hpp"
#include "common/net/log.hpp"
#include "common/text/duration.hpp"
#include "common/tls/dialer.hpp"

namespace {

// -once: the header and one row as soon as every clock has answered; a clock that has not
// within the timeout fails the program, with why, in the live wall's words: a line each.
asio::awaitable<void> print_once(gonet::ClockWall& wall, const gonet::ClockwallOptions& options,
                                 const std::vector<std::unique_ptr<gonet::Watch>>& watches) {
  const auto silent = co_await wall.print_once(options.timeout);
  for (std::size_t i = 0; i < silent.size(); ++i) {
    const auto& clock = options.clocks[silent[i]];
    const std::string& why = watches[silent[i]]->why_down();
    const std::string line =
        clock.name + " (" + gonet::to_string(clock.server) +
        "): " + (why.empty() ? "no time within " + gonet::format_duration(options.timeout) : why);
    if (i + 1 == silent.size()) throw gonet::Failure(line);
    spdlog::error("{}", line);
  }
}

asio::awaitable<void> clockwall(gonet::ClockwallOptions options) {
  const auto executor = co_await asio::this_coro::executor;
  for (const std::string& warning : options.warnings) spdlog::warn("{}", warning);
  std::vector<std::string> names;
  for (const auto& clock : options.clocks) names.push_back(clock.name);
  gonet::Dialer dialer(options.tls);
  gonet::ClockWall wall(executor, names, !options.once && ::isatty(STDOUT_FILENO) == 1);
  std::vector<std::unique_ptr<gonet::Watch>> watches;
  for (std::size_t column = 0; column < options.clocks.size(); ++column) {
    // a column each, on its own coroutine: `go watch(name, address)`
    auto& watch = watches.emplace_back(std::make_unique<gonet::Watch>(
        wall, dialer, column, options.clocks[column], !options.once));
    asio::co_spawn(executor, watch->run(), asio::detached);
  }
  if (options.once) {
    co_await print_once(wall, options, watches);
  } else {
    co_await wall.print_rows();  // until Ctrl-C
  }
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"clockwall", "Shows several clock servers at once, a column each."};
  const auto options = gonet::parse_or_exit(program, argc, argv, gonet::parse_clockwall_options);
  gonet::init_logging(program.name, options.log_level);
  return gonet::run_client(clockwall(options));
}
