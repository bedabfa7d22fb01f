// netcat3 is netcat2 that, at the end of stdin, closes only its sending side and waits on a
// done channel for the server's replies to end, so no reply is lost.
#include <asio/awaitable.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <spdlog/spdlog.h>

#include "common/cli/dial_flags.hpp"
#include "common/cli/program.hpp"
#include "common/net/client.hpp"
#include "common/net/done.hpp"
#include "common/net/either.hpp"
#include "common/net/log.hpp"
#include "common/net/stdio.hpp"
#include "common/tls/conn.hpp"
#include "common/tls/dialer.hpp"

namespace {

using Stream = asio::posix::stream_descriptor;

// The book's `go func() { io.Copy(os.Stdout, conn); log.Println("done"); done <- struct{}{} }()`
asio::awaitable<void> print_replies(gonet::Conn& conn, Stream& out, gonet::Done& done) {
  co_await gonet::must_copy(out, conn);
  spdlog::info("done");
  done.signal();
}

// mustCopy(conn, os.Stdin), then CloseWrite (exercise 8.3; over TLS, close_notify), then
// <-done. The server may end first, and then so do we.
asio::awaitable<void> send_input(gonet::Conn& conn, Stream& in, gonet::Done& done) {
  co_await gonet::either(gonet::must_copy(conn, in), done.wait());
  co_await conn.close_write();
  co_await done.wait();
}

asio::awaitable<void> netcat(gonet::DialOptions options) {
  auto conn = co_await gonet::dial(options.server, options.tls);
  auto in = gonet::standard_input(conn.get_executor());
  auto out = gonet::standard_output(conn.get_executor());
  gonet::Done done(conn.get_executor());
  co_await gonet::both(print_replies(conn, out, done), send_input(conn, in, done));
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"netcat3", "A TCP client that waits for the server's last reply."};
  const auto options = gonet::parse_or_exit(program, argc, argv, gonet::parse_dial_options);
  gonet::init_logging(program.name, options.log_level);
  return gonet::run_client(netcat(options));
}
