// A poll(2) timeout from a deadline, for the support code's waits.
#pragma once

#include <algorithm>
#include <chrono>
#include <climits>

namespace testsupport {

// Rounded up, so that a wait never wakes just before its deadline and spins.
inline int poll_timeout_ms(std::chrono::steady_clock::time_point deadline) {
  auto left =
      std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
          .count();
  return static_cast<int>(std::clamp<decltype(left)>(left, 0, INT_MAX));
}

}  // namespace testsupport
