// netcat1 is a read-only TCP client.
#include <asio/awaitable.hpp>
#include <asio/this_coro.hpp>

#include "common/cli/dial_flags.hpp"
#include "common/cli/program.hpp"
#include "common/net/client.hpp"
#include "common/net/log.hpp"
#include "common/net/stdio.hpp"
#include "common/tls/conn.hpp"
#include "common/tls/dialer.hpp"

namespace {

asio::awaitable<void> netcat(gonet::DialOptions options) {
  auto conn = co_await gonet::dial(options.server, options.tls);
  auto out = gonet::standard_output(co_await asio::this_coro::executor);
  co_await gonet::must_copy(out, conn);
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"netcat1", "A read-only TCP client: the connection to stdout."};
  const auto options = gonet::parse_or_exit(program, argc, argv, gonet::parse_dial_options);
  gonet::init_logging(program.name, options.log_level);
  return gonet::run_client(netcat(options));
}
