#include "common/net/session_end.hpp"

#include "common/net/linger.hpp"
#include "common/net/memory.hpp"

namespace gonet {

asio::awaitable<void> end_session(Connection& conn, const SessionEnd& end) {
  if (!end.writes_failed && end.why != asio::error::eof &&
      end.why != asio::error::connection_reset) {
    co_await linger(conn.socket());
  }
  // What it held was freed into the allocator's heap, which keeps it.
  if (end.largest_buffer >= kLargeBuffers) {
    give_back_free_memory_soon(conn.socket().get_executor());
  }
  conn.log_end(end.why);
}

}  // namespace gonet
