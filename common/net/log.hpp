#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <spdlog/common.h>

namespace gonet {

// Every program logs to stderr through spdlog's default logger, each line starting with the
// program's name: "netcat1: connect localhost:8000: connection refused", "netcat1: warning: ...".
// When stderr is systemd's journal, with its priority instead ("<4>warning: ..."): journald
// adds the name.
void init_logging(std::string_view program, spdlog::level::level_enum level);

// Lets one warning through per interval and counts the rest, so a flood of the same event
// (refused connections, EMFILE) cannot flood the log.
class RateLimitedWarning {
 public:
  explicit RateLimitedWarning(
      std::chrono::steady_clock::duration interval = std::chrono::seconds(1))
      : interval_(interval) {}
  void warn(std::string_view message);

 private:
  std::chrono::steady_clock::duration interval_;
  std::chrono::steady_clock::time_point next_{};
  std::size_t suppressed_ = 0;
};

}  // namespace gonet
