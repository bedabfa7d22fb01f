// clock1 is a TCP server that periodically writes the time, to one client at a time.
#include <asio/awaitable.hpp>

#include "common/clock.hpp"
#include "common/server.hpp"

namespace {

asio::awaitable<void> listen_and_serve(gonet::Listener listener, gonet::ClockOptions options) {
  gonet::Clock clock(listener.get_executor(), options);
  for (;;) {
    gonet::Connection conn = co_await listener.accept();
    co_await gonet::serve_clock(std::move(conn), clock);  // handle one connection at a time
  }
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"clock1", "A clock server that serves one client at a time.",
                               /*concurrent=*/false};
  const gonet::ClockOptions options = gonet::clock_flags(program, argc, argv);
  return gonet::run_server(options.serve, [&](gonet::Listener listener) {
    return listen_and_serve(std::move(listener), options);
  });
}
