// reverb1 is a TCP server that simulates an echo, one echo after another.
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include "common/echo.hpp"
#include "common/reverb.hpp"
#include "common/server.hpp"

namespace {

asio::awaitable<void> handle_conn(gonet::Connection conn, gonet::ReverbOptions options) {
  gonet::Reverb reverb(conn, options);
  while (auto shout = co_await reverb.next_shout()) {
    co_await gonet::echo(reverb.out(), std::move(*shout), options.delay);
  }
  co_await reverb.finish();
}

asio::awaitable<void> listen_and_serve(gonet::Listener listener, gonet::ReverbOptions options) {
  for (;;) {
    gonet::Connection conn = co_await listener.accept();
    asio::co_spawn(listener.get_executor(), handle_conn(std::move(conn), options), asio::detached);
  }
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"reverb1", "An echo server: each echo ends before the next begins."};
  const gonet::ReverbOptions options = gonet::reverb_flags(program, argc, argv);
  return gonet::run_server(options.serve, [&](gonet::Listener listener) {
    return listen_and_serve(std::move(listener), options);
  });
}
