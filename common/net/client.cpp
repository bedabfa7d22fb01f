#include "common/net/client.hpp"

#include <csignal>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "common/net/failure.hpp"
#include "common/net/stdio.hpp"

namespace gonet {

int run_client(asio::awaitable<void> program) {
  StdioGuard stdio;  // first: before the event loop opens any descriptor
  int status = 0;
  int stopped_by = 0;
  {
    asio::io_context loop(1);
    asio::signal_set signals(loop, SIGINT, SIGTERM, SIGHUP);
    signals.async_wait([&](const std::error_code& ec, int signal) {
      if (ec) return;
      stopped_by = signal;
      loop.stop();
    });
    asio::co_spawn(loop, std::move(program), [&](const std::exception_ptr& failure) {
      // When main returns the program ends, as in Go: coroutines it left running are dropped.
      loop.stop();
      if (!failure) return;
      spdlog::error("{}", describe(failure));
      status = 1;
    });
    loop.run();
  }
  stdio.restore();
  if (stopped_by != 0) {
    std::signal(stopped_by, SIG_DFL);
    std::raise(stopped_by);
  }
  return status;
}

}  // namespace gonet
