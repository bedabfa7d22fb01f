#include "common/net/memory.hpp"

#include <cstdlib>  // defines __GLIBC__ where it is glibc
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <asio/post.hpp>

namespace gonet {

void give_back_free_memory_soon(const asio::any_io_executor& executor) {
  // Per thread, as each loop runs on its own; a post stays on the loop it was made on.
  thread_local bool trim_pending = false;
  if (trim_pending) return;
  trim_pending = true;
  asio::post(executor, [] {
    trim_pending = false;
#if defined(__GLIBC__)
    ::malloc_trim(0);
#endif
  });
}

}  // namespace gonet
