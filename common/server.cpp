#include "common/server.hpp"

#include <spdlog/spdlog.h>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <atomic>
#include <csignal>
#include <cstring>
#include <memory>
#include <thread>

#include "common/failure.hpp"

namespace gonet {

int run_server(const ServeOptions& options, const AcceptLoop& accept_loop) {
  // Declared before the loops, which may still run handlers that use them as they go.
  ConnectionLimit limit(options.max_conns);
  std::atomic<int> status = 0;
  std::vector<asio::io_context*> raw;
  auto stop_all = [&raw] {
    for (asio::io_context* loop : raw) loop->stop();
  };
  std::vector<std::unique_ptr<asio::io_context>> loops;
  for (unsigned i = 0; i < options.threads; ++i) {
    // One thread per loop: nothing is shared between loops, so no locking is needed inside one.
    loops.push_back(std::make_unique<asio::io_context>(1));
    raw.push_back(loops.back().get());
  }

  // Before "listening on": whoever saw that line may stop us at once.
  asio::signal_set signals(*loops.front(), SIGINT, SIGTERM);
  signals.async_wait([&stop_all](const std::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("SIG{}: closing connections and exiting", sigabbrev_np(signal));
    stop_all();  // the loops' destructors close every socket their sessions own
  });

  std::vector<asio::ip::tcp::acceptor> acceptors;
  try {
    acceptors = listen(raw, options.listen);
  } catch (const Failure& failure) {
    spdlog::error("{}", failure.what());
    return 1;
  }
  spdlog::info("listening on {}", to_string(acceptors.front().local_endpoint()));

  for (std::size_t i = 0; i < loops.size(); ++i) {
    asio::co_spawn(*loops[i], accept_loop(Listener(std::move(acceptors[i]), limit)),
                   [&status, &stop_all](const std::exception_ptr& failure) {
                     if (!failure) return;
                     try {
                       std::rethrow_exception(failure);
                     } catch (const std::exception& e) {
                       spdlog::error("accept loop: {}", e.what());
                     }
                     status = 1;
                     stop_all();
                   });
  }

  std::vector<std::jthread> threads;
  for (std::size_t i = 1; i < loops.size(); ++i) {
    threads.emplace_back([loop = raw[i]] { loop->run(); });
  }
  loops.front()->run();
  threads.clear();  // joins
  return status;
}

}  // namespace gonet
