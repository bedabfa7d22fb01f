#pragma once

#include <spdlog/common.h>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace gonet {

// Every program logs to stderr through spdlog's default logger, each line starting with the
// program's name: "clock2: listening on 127.0.0.1:8000", "clock2: warning: ...".
void init_logging(std::string_view program, spdlog::level::level_enum level);

// The levels -log-level accepts, by name; nullopt for anything else.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

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
