#pragma once

#include <chrono>
#include <string>

namespace gonet {

// How a clock shows a second: a strftime pattern in the process's zone, one line per second.
class ClockFace {
 public:
  explicit ClockFace(std::string format) : format_(std::move(format)) {}

  // The line for `second`, ending in "\n". It is formatted once and kept until the second
  // changes, so however many clients ask, each second costs one strftime.
  const std::string& line(std::chrono::sys_seconds second);

 private:
  std::string format_;
  std::chrono::sys_seconds shown_ = std::chrono::sys_seconds::min();
  std::string line_;
};

}  // namespace gonet
