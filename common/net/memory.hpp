#pragma once

#include <cstddef>

#include <asio/any_io_executor.hpp>

namespace gonet {

// A connection whose buffers held this much (a line buffer grown for a long line, echoes or
// messages queued) leaves that much freed in the allocator's heap at its end: it asks for a trim.
inline constexpr std::size_t kLargeBuffers = 64 * 1024;

// Returns the allocator's free memory to the system where it can (glibc's malloc_trim), on the
// loop of `executor`, soon: worth its cost only after something large was freed. A trim walks the
// heap and makes one madvise call per free run of pages, each flushing the TLB of every core: 2.5
// ms a trim after ten 64 KiB-line floods on this kind of VM, and ten trims for ten floods that
// ended at once held everyone else's echoes up by 80 ms under load. So a loop trims at most ten
// times a second: one trim serves every request made meanwhile (3,000 connections that end over
// a second cost ten trims, not 3,000), and the last request is served within 0.1 s.
void give_back_free_memory_soon(const asio::any_io_executor& executor);

}  // namespace gonet
