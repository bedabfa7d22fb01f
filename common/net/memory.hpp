#pragma once

namespace gonet {

// Returns the allocator's free memory to the system where it can (glibc's malloc_trim): worth
// its cost, a walk of the free lists, only after something large was freed.
void give_back_free_memory();

}  // namespace gonet
