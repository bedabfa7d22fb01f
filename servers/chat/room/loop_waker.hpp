#pragma once

namespace gonet {

// What the broadcaster does to an event loop, from any thread: it never waits for one, it wakes
// it. LoopRoom is the one; the broadcaster knows no more of it.
class LoopWaker {
 public:
  // Events wait for the loop.
  virtual void wake() = 0;
  // The room is no longer congested: the loop's senders may go on.
  virtual void wake_senders() = 0;

 protected:
  ~LoopWaker() = default;
};

}  // namespace gonet
