#include "common/net/memory.hpp"

#include <chrono>
#include <cstdlib>  // defines __GLIBC__ where it is glibc
#include <memory>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <asio/steady_timer.hpp>

namespace gonet {
namespace {

constexpr auto kBetweenTrims = std::chrono::milliseconds(100);

}  // namespace

void give_back_free_memory_soon(const asio::any_io_executor& executor) {
  // Per thread, as each loop runs on its own; the timer's handler runs on the loop it was made on.
  thread_local bool trim_pending = false;
  thread_local std::chrono::steady_clock::time_point last_trim;
  if (trim_pending) return;
  trim_pending = true;
  // Past at once (the loop runs what is ready first), or when the last trim is far enough back.
  auto timer = std::make_shared<asio::steady_timer>(executor, last_trim + kBetweenTrims);
  timer->async_wait([timer](const std::error_code&) {
    trim_pending = false;
#if defined(__GLIBC__)
    ::malloc_trim(0);
#endif
    last_trim = std::chrono::steady_clock::now();
  });
}

}  // namespace gonet
