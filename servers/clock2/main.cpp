// clock2 is a TCP server that periodically writes the time, to every client at once.
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include "common/cli/program.hpp"
#include "common/net/log.hpp"
#include "common/net/server.hpp"
#include "servers/clock/serve_clock.hpp"
#include "servers/clock/clock_options.hpp"
#include "servers/clock/time_zone.hpp"

namespace {

asio::awaitable<void> listen_and_serve(gonet::Listener listener, gonet::ClockOptions options) {
  gonet::Clock clock(listener.get_executor(), options);
  for (;;) {
    gonet::Connection conn = co_await listener.accept();
    // handle connections concurrently: the book's `go handleConn(conn)`
    asio::co_spawn(listener.get_executor(), gonet::serve_clock(std::move(conn), clock),
                   asio::detached);
  }
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"clock2", "A clock server that serves every client at once."};
  const auto options = gonet::parse_or_exit(program, argc, argv, gonet::parse_clock_options);
  gonet::init_logging(program.name, options.serve.log_level);
  gonet::use_time_zone(options.zone);
  return gonet::run_server(options.serve, [&](gonet::Listener listener) {
    return listen_and_serve(std::move(listener), options);
  });
}
