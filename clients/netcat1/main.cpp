// netcat1 is a read-only TCP client.
#include <asio/awaitable.hpp>
#include <asio/this_coro.hpp>

#include "common/client.hpp"
#include "common/copy.hpp"
#include "common/dial.hpp"
#include "common/flags.hpp"
#include "common/stdio.hpp"

namespace {

asio::awaitable<void> netcat(gonet::Endpoint server) {
  auto conn = co_await gonet::dial(server);
  auto out = gonet::standard_output(co_await asio::this_coro::executor);
  co_await gonet::must_copy(out, conn);
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"netcat1", "A read-only TCP client: the connection to stdout."};
  const gonet::DialOptions options = gonet::dial_flags(program, argc, argv);
  return gonet::run_client(netcat(options.server));
}
