// netcat2 is a read/write TCP client: stdin to the connection and the connection to stdout, at
// once. It ends as soon as either side does.
#include <asio/awaitable.hpp>
#include <asio/posix/stream_descriptor.hpp>

#include "common/cli/dial_flags.hpp"
#include "common/cli/program.hpp"
#include "common/net/client.hpp"
#include "common/net/either.hpp"
#include "common/net/log.hpp"
#include "common/net/stdio.hpp"
#include "common/tls/conn.hpp"
#include "common/tls/dialer.hpp"

namespace {

// mustCopy(conn, os.Stdin). Over TLS the end is said with close_notify, as Go's Close says it,
// rather than cut short.
asio::awaitable<void> send_input(gonet::Conn& conn, asio::posix::stream_descriptor& in) {
  co_await gonet::must_copy(conn, in);
  if (conn.tls() != nullptr) co_await conn.close_write();
}

asio::awaitable<void> netcat(gonet::DialOptions options) {
  auto conn = co_await gonet::dial(options.server, options.tls);
  auto in = gonet::standard_input(conn.get_executor());
  auto out = gonet::standard_output(conn.get_executor());
  // The book's `go mustCopy(os.Stdout, conn)` beside `mustCopy(conn, os.Stdin)`.
  co_await gonet::either(gonet::must_copy(out, conn), send_input(conn, in));
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"netcat2",
                               "A TCP client: stdin to the server, the server to stdout."};
  const auto options = gonet::parse_or_exit(program, argc, argv, gonet::parse_dial_options);
  gonet::init_logging(program.name, options.log_level);
  return gonet::run_client(netcat(options));
}
