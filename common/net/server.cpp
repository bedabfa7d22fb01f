#include "common/net/server.hpp"

#include <sys/resource.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <deque>
#include <string_view>
#include <thread>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "common/net/failure.hpp"
#include "common/net/socket_activation.hpp"

namespace gonet {

namespace {

// As Go's runtime does (since 1.19): the soft open-file limit, 1024 by default and under
// systemd, guards select(2), which no server here calls; the hard limit is the administrator's.
void raise_descriptor_limit() {
  rlimit descriptors{};
  if (::getrlimit(RLIMIT_NOFILE, &descriptors) != 0) return;
  if (descriptors.rlim_cur >= descriptors.rlim_max) return;
  descriptors.rlim_cur = descriptors.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &descriptors);  // the hard limit may be more than the kernel allows
}

// What the flags given will not do: said once, before "listening on".
void warn_of_flags(const ServeOptions& options) {
  for (const std::string& warning : options.warnings) spdlog::warn("{}", warning);
  rlimit descriptors{};
  if (options.max_conns > 0 && ::getrlimit(RLIMIT_NOFILE, &descriptors) == 0 &&
      descriptors.rlim_cur != RLIM_INFINITY && options.max_conns >= descriptors.rlim_cur) {
    spdlog::warn(
        "-max-conns {} is above the open-file limit ({}, ulimit -n): accepting pauses when "
        "descriptors run out, before the cap",
        options.max_conns, descriptors.rlim_cur);
  }
}

// The sockets to accept on, one for each loop, and "listening on" said: a socket passed by
// systemd takes the place of -host and -port. Throws Failure.
std::vector<asio::ip::tcp::acceptor> open_listeners(std::deque<asio::io_context>& loops,
                                                    const ServeOptions& options) {
  std::vector<asio::ip::tcp::acceptor> acceptors = acceptors_from_systemd(loops);
  std::string_view origin = "socket from systemd: ";
  if (acceptors.empty()) {
    acceptors = listen(loops, options.listen);
    origin = "";
  }
  spdlog::info("{}listening on {}", origin, to_string(acceptors.front().local_endpoint()));
  return acceptors;
}

// The first loop on this thread, each other on one of its own, until all have ended.
void run_each_on_a_thread(std::deque<asio::io_context>& loops) {
  std::vector<std::jthread> threads;
  for (std::size_t i = 1; i < loops.size(); ++i) {
    threads.emplace_back([&loop = loops[i]] { loop.run(); });
  }
  loops.front().run();
}  // the threads join

}  // namespace

int run_server(const ServeOptions& options, const AcceptLoop& accept_loop) {
  raise_descriptor_limit();
  warn_of_flags(options);
  // Declared before the loops, which may still run handlers that use them as they go.
  ConnectionLimit limit(options.max_conns, options.max_conns_per_host);
  AcceptRate rate(options.max_accept_rate);
  AcceptRate* const accept_rate = options.max_accept_rate > 0 ? &rate : nullptr;
  std::atomic<int> status = 0;
  // One thread per loop: a session belongs to its loop, so nothing inside one needs a lock (the
  // connection limit and the accept rate, which every loop shares, lock their own). A deque,
  // because a loop never moves once made.
  std::deque<asio::io_context> loops;
  for (unsigned i = 0; i < options.threads; ++i) loops.emplace_back(1);
  auto stop_all = [&loops] {
    for (asio::io_context& loop : loops) loop.stop();
  };

  // Before "listening on": whoever saw that line may stop us at once.
  asio::signal_set signals(loops.front(), SIGINT, SIGTERM);
  signals.async_wait([&stop_all](const std::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("SIG{}: closing connections and exiting", sigabbrev_np(signal));
    stop_all();  // the loops' destructors close every socket their sessions own
  });

  std::vector<asio::ip::tcp::acceptor> acceptors;
  try {
    acceptors = open_listeners(loops, options);
  } catch (const Failure& failure) {
    spdlog::error("{}", failure.what());
    return 1;
  }

  for (std::size_t i = 0; i < loops.size(); ++i) {
    asio::co_spawn(
        loops[i],
        accept_loop(Listener(std::move(acceptors[i]), limit, options.proxy_protocol, accept_rate)),
        [&status, &stop_all](const std::exception_ptr& failure) {
          if (!failure) return;
          spdlog::error("accept loop: {}", describe(failure));
          status = 1;
          stop_all();
        });
  }

  run_each_on_a_thread(loops);
  return status;
}

}  // namespace gonet
