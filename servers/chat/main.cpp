// chat is a chat server that lets clients chat with each other: every line a client sends goes to
// every client. The book's chat (section 8.10), with netcat3 as its client.
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include "common/cli/program.hpp"
#include "common/net/awaitable.hpp"
#include "common/net/either.hpp"
#include "common/net/log.hpp"
#include "common/net/server.hpp"
#include "servers/chat/channels.hpp"
#include "servers/chat/chat_options.hpp"
#include "servers/chat/chat_session.hpp"
#include "servers/chat/room.hpp"

namespace {

using From = gonet::Received::From;

asio::awaitable<void> broadcaster(gonet::Channels& channels, bool names) {
  gonet::Room clients(names);  // all connected clients
  for (;;) {
    const gonet::Selected selected = co_await gonet::select(channels);
    for (const gonet::Received& got : selected) {
      switch (got.from) {
        case From::messages:
          // to every client's outgoing queue; one too slow to take it skips it, and nobody waits
          clients.broadcast(got.message);
          break;
        case From::entering:
          clients.enter(*got.client);  // "You are NAME"; everyone else hears "NAME has arrived"
          break;
        case From::leaving:
          clients.leave(*got.client);  // close(cli); everyone else hears "NAME has left"
          break;
      }
    }
  }
}

asio::awaitable<void> handle_conn(gonet::Connection conn, gonet::Channels& channels,
                                  const gonet::ChatOptions& options) {
  gonet::ChatSession session(conn, options);  // its outgoing queue, and clientWriter emptying it
  if (co_await session.enter(channels.entering)) {
    while (auto text = co_await session.next_line()) {
      co_await channels.messages.async_send(std::error_code{}, session.says(*text),
                                            gonet::use_nothrow);
    }
    co_await channels.leaving.async_send(std::error_code{}, &session.client(), gonet::use_nothrow);
  }
  co_await session.finish();  // every message it was owed, then EOF
}

asio::awaitable<void> accept_loop(gonet::Listener& listener, gonet::Channels& channels,
                                  const gonet::ChatOptions& options) {
  for (;;) {
    gonet::Connection conn = co_await listener.accept();
    asio::co_spawn(listener.get_executor(), handle_conn(std::move(conn), channels, options),
                   asio::detached);
  }
}

// The channels and the options live here, as long as the server: every session refers to them.
asio::awaitable<void> listen_and_serve(gonet::Listener listener, gonet::ChatOptions options) {
  gonet::Channels channels(listener.get_executor());
  // go broadcaster(), for as long as the accept loop runs: a failure of either ends the server
  co_await gonet::either(broadcaster(channels, options.names),
                         accept_loop(listener, channels, options));
}

}  // namespace

int main(int argc, char* argv[]) {
  // No -threads: one room, one broadcaster, one event loop.
  const gonet::Program program{"chat", "A chat server: every line a client sends goes to all.",
                               /*concurrent=*/false};
  const auto options = gonet::parse_or_exit(program, argc, argv, gonet::parse_chat_options);
  gonet::init_logging(program.name, options.serve.log_level);
  return gonet::run_server(options.serve, [&](gonet::Listener listener) {
    return listen_and_serve(std::move(listener), options);
  });
}
