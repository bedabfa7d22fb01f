#include "servers/reverb/echo.hpp"

#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>

#include "common/net/awaitable.hpp"
#include "common/text/case_mapping.hpp"

namespace gonet {
namespace {

std::string echo_line(std::string_view text) {
  std::string line;
  line.reserve(text.size() + 3);
  line.append("\t ").append(text).push_back('\n');
  return line;
}

}  // namespace

asio::awaitable<void> echo(WriteQueue& out, std::string shout, std::chrono::nanoseconds delay) {
  asio::steady_timer pause(co_await asio::this_coro::executor);
  if (co_await out.write(echo_line(to_upper(shout)))) co_return;
  pause.expires_after(delay);
  co_await pause.async_wait(use_nothrow);
  if (co_await out.write(echo_line(shout))) co_return;
  pause.expires_after(delay);
  co_await pause.async_wait(use_nothrow);
  co_await out.write(echo_line(to_lower(shout)));
}

}  // namespace gonet
