#pragma once

#include <chrono>

namespace gonet {

// Whether this thread's event loop is behind, told by how late the pauses of its echoes end. A
// loop with more echoes than it can write on time is late for every client, a polite one too; so
// a session with more than its share of echoes pending reads no new line while the loop is
// behind, and a flood slows its own echoes, not everyone's (SPEC: no client takes more than its
// share of the loop). No timer of its own: a loop with no pauses has no echoes to be late with.
class LoopLag {
 public:
  using Clock = std::chrono::steady_clock;

  // A pause ending later than this says the loop is behind: a fifth of the 50 ms within which
  // SPEC's echoes stay on time, so that floods are held before anyone else feels them.
  static constexpr Clock::duration kBehind = std::chrono::milliseconds(10);
  // A pause that ended longer ago than this says nothing of the loop now.
  static constexpr Clock::duration kFresh = std::chrono::milliseconds(20);

  // The calling thread's loop: each loop runs on its own thread.
  static LoopLag& here() {
    thread_local LoopLag lag;
    return lag;
  }

  // A pause due at `due` ended at `ended`: the latest pause tells.
  void pause_ended(Clock::time_point due, Clock::time_point ended) {
    due_ = due;
    ended_ = ended;
  }

  bool behind(Clock::time_point now) const {
    return now - ended_ < kFresh && ended_ - due_ > kBehind;
  }

 private:
  Clock::time_point due_{};
  Clock::time_point ended_{};
};

}  // namespace gonet
