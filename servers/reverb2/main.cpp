// reverb2 is a TCP server that simulates an echo, with the echoes of a connection overlapping.
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include "common/cli/program.hpp"
#include "common/net/log.hpp"
#include "common/net/server.hpp"
#include "servers/reverb/echo.hpp"
#include "servers/reverb/echo_session.hpp"
#include "servers/reverb/reverb_options.hpp"

namespace {

asio::awaitable<void> handle_conn(gonet::Connection conn, const gonet::ReverbOptions& options) {
  gonet::EchoSession session(conn, options);
  while (auto shout = co_await session.next_shout()) {
    // each echo on its own coroutine: the book's `go echo(c, input.Text(), 1*time.Second)`
    session.spawn(gonet::echo, std::move(*shout), options.delay);
  }
  co_await session.finish();  // the pending echoes first: nothing is lost at the end
}

asio::awaitable<void> listen_and_serve(gonet::Listener listener, gonet::ReverbOptions options) {
  for (;;) {
    gonet::Connection conn = co_await listener.accept();
    asio::co_spawn(listener.get_executor(), handle_conn(std::move(conn), options), asio::detached);
  }
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"reverb2", "An echo server: the echoes of a connection overlap."};
  const auto options = gonet::parse_or_exit(program, argc, argv, gonet::parse_reverb_options);
  gonet::init_logging(program.name, options.serve.log_level);
  return gonet::run_server(options.serve, [&](gonet::Listener listener) {
    return listen_and_serve(std::move(listener), options);
  });
}
