#include "servers/reverb/echo.hpp"

#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>

#include "common/net/awaitable.hpp"
#include "common/text/case_mapping.hpp"
#include "servers/reverb/loop_lag.hpp"

namespace gonet {
namespace {

// The part of an echo: the shout in upper case, as it was, in lower case; as Go's
// fmt.Fprintln(c, "\t", text) writes it.
std::string echo_line(const std::string& shout, int part) {
  // One allocation, mapped in place: a flood of long lines makes this the loop's work.
  std::string text;
  text.reserve(shout.size() + 3);
  text += "\t ";
  if (part == 0) {
    append_upper(shout, text);
  } else if (part == 1) {
    text += shout;
  } else {
    append_lower(shout, text);
  }
  text += '\n';
  return text;
}

}  // namespace

asio::awaitable<void> echo(WriteQueue& out, std::string shout, std::chrono::nanoseconds delay) {
  // Few temporaries in the body: a coroutine's frame keeps room for every temporary of
  // every co_await, and this frame lives as long as the echo, once per pending echo.
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (int part = 0; part < 3; ++part) {
    if (part > 0) {
      pause.expires_after(delay);
      co_await pause.async_wait(use_nothrow);
      LoopLag::here().pause_ended(pause.expiry(), std::chrono::steady_clock::now());
    }
    // The line is made once the queue has room for it: otherwise, for a client that does not
    // read, every pending echo would hold a line as long as its shout (SECURITY.md's sums).
    // Plain ifs, no co_await inside && or ?: (FIELD-NOTES: g++ 12 miscompiles the ?: form).
    if (out.full()) {
      if (co_await out.room()) co_return;
    }
    if (out.put(echo_line(shout, part))) co_return;
  }
}

}  // namespace gonet
