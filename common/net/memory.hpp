#pragma once

#include <asio/any_io_executor.hpp>

namespace gonet {

// Returns the allocator's free memory to the system where it can (glibc's malloc_trim), once the
// loop of `executor` has run what is ready now: worth its cost only after something large was
// freed. One trim serves every request made meanwhile on that loop. A trim walks the heap and
// makes one madvise call per free run of pages, each flushing the TLB of every core: 2.5 ms a
// trim after ten 64 KiB-line floods on this kind of VM, and ten trims for ten floods that ended
// at once held everyone else's echoes up by 80 ms under load.
void give_back_free_memory_soon(const asio::any_io_executor& executor);

}  // namespace gonet
