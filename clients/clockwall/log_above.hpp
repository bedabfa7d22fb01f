#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <spdlog/logger.h>

namespace gonet {

// While it lives, the default logger's lines go above a display drawn in place on the terminal:
// `clear` takes the display off the screen before each line, and `redraw` draws it again under
// the line. So a log line starts on a line of its own, and the display stays whole below the log
// instead of being written over. For a program on one thread (as clockwall is).
class LogAbove {
 public:
  LogAbove(std::function<void()> clear, std::function<void()> redraw);
  ~LogAbove();  // the logger's own sinks back
  LogAbove(const LogAbove&) = delete;
  LogAbove& operator=(const LogAbove&) = delete;

 private:
  std::shared_ptr<spdlog::logger> logger_;
  std::vector<spdlog::sink_ptr> own_sinks_;
};

}  // namespace gonet
