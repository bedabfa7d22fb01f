// chat is a chat server that lets clients chat with each other: every line a client sends goes to
// every client. The book's chat (section 8.10), with netcat3 as its client.
#include <atomic>
#include <chrono>
#include <optional>

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "common/cli/program.hpp"
#include "common/net/either.hpp"
#include "common/net/failure.hpp"
#include "common/net/log.hpp"
#include "common/net/server.hpp"
#include "servers/chat/bus/room_bus.hpp"
#include "servers/chat/bus_secrets.hpp"
#include "servers/chat/chat_options.hpp"
#include "servers/chat/room/broadcaster.hpp"
#include "servers/chat/room/loop_room.hpp"
#include "servers/chat/session/address_buckets.hpp"
#include "servers/chat/session/chat_session.hpp"

namespace {

asio::awaitable<void> handle_conn(gonet::Connection conn, gonet::LoopRoom& room,
                                  const gonet::SessionOptions& options,
                                  gonet::AddressBuckets& rates) {
  gonet::ChatSession session(conn, options, rates);  // its queue, and clientWriter emptying it
  if (co_await session.enter(room)) {                // entering <- cli
    while (auto text = co_await session.next_line()) {
      co_await room.say(session.client(), *text);  // messages <- who + ": " + text
    }
    room.leave(session.client());  // leaving <- cli
  }
  co_await session.finish();  // every message it was owed, then EOF
}

asio::awaitable<void> accept_loop(gonet::Listener& listener, gonet::LoopRoom& room,
                                  const gonet::SessionOptions& options,
                                  gonet::AddressBuckets& rates) {
  for (;;) {
    gonet::Connection conn = co_await listener.accept();
    asio::co_spawn(listener.get_executor(), handle_conn(std::move(conn), room, options, rates),
                   asio::detached);
  }
}

// On each event loop: the broadcaster's half that writes to this loop's clients, for as long as
// the accept loop runs (a failure of either ends the server).
asio::awaitable<void> listen_and_serve(gonet::Listener listener, gonet::Broadcaster& broadcaster,
                                       const gonet::SessionOptions& options,
                                       gonet::AddressBuckets& rates) {
  gonet::LoopRoom room(listener.get_executor(), broadcaster);
  co_await gonet::either(room.deliver(), accept_loop(listener, room, options, rates));
}

asio::awaitable<void> run_bus_after(gonet::RoomBus& bus, asio::any_io_executor loop,
                                    std::chrono::seconds pause) {
  asio::steady_timer timer(loop, pause);
  co_await timer.async_wait(asio::use_awaitable);
  co_await bus.run(loop);
}

// The bus on `loop` for as long as the loop runs. Every failure of a link is its going down and a
// retry (RoomBus); should the bus itself fail, it is logged and started again a second later,
// never left dead.
void run_bus(gonet::RoomBus& bus, const asio::any_io_executor& loop,
             std::chrono::seconds pause = std::chrono::seconds(0)) {
  asio::co_spawn(loop, run_bus_after(bus, loop, pause),
                 [&bus, loop](const std::exception_ptr& failure) {
                   if (!failure) return;
                   spdlog::error("room bus: {}; starting it again", gonet::describe(failure));
                   run_bus(bus, loop, std::chrono::seconds(1));
                 });
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{.name = "chat",
                               .summary = "A chat server: every line a client sends goes to all.",
                               .max_accept_rate = 1000};  // churn waits in the listen queue
  const auto options = gonet::parse_or_exit(program, argc, argv, gonet::parse_chat_options);
  gonet::init_logging(program.name, options.serve.log_level);
  // go broadcaster(): one room, in one order, for every event loop
  gonet::Broadcaster broadcaster(options.names, options.raw);
  // -rate, per client address: reconnecting does not fill a bucket again
  gonet::AddressBuckets rates(options.rate, gonet::kRateBurstSeconds * options.rate);
  const gonet::SessionOptions session = options.session();
  // -redis: and for every chat server on the same Redis, the bus on the first loop.
  std::optional<gonet::RoomBus> bus;
  if (options.redis) {
    try {
      broadcaster.attach(bus.emplace(gonet::load_bus_options(options), broadcaster));
    } catch (const gonet::Failure& failure) {
      spdlog::error("{}", failure.what());
      return 1;
    }
  }
  std::atomic_flag bus_runs;
  return gonet::run_server(options.serve, [&](gonet::Listener listener) {
    if (bus && !bus_runs.test_and_set()) run_bus(*bus, listener.get_executor());
    return listen_and_serve(std::move(listener), broadcaster, session, rates);
  });
}
