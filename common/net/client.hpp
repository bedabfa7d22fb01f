#pragma once

#include <asio/awaitable.hpp>

namespace gonet {

// Runs a client's main coroutine on an event loop, with stdin, stdout and stderr guarded (see
// StdioGuard). When it ends, the program ends, as when main returns in Go: coroutines it spawned
// are dropped. Returns the exit status: 0 when it ends, 1 when it throws (its Failure logged as
// the program's one error line). SIGINT, SIGTERM and SIGHUP stop it, put the
// terminal's flags back and then end the process by that signal, as a shell expects.
int run_client(asio::awaitable<void> program);

}  // namespace gonet
