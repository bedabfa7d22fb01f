#include "common/cli/values.hpp"

#include <array>
#include <utility>

#include "common/text/duration.hpp"

namespace gonet {

void bad_value(std::string_view flag, std::string_view value, std::string_view why) {
  throw UsageError("invalid value \"" + std::string(value) + "\" for flag -" + std::string(flag) +
                   ": " + std::string(why));
}

std::chrono::nanoseconds parse_duration_flag(std::string_view flag, const std::string& value) {
  const auto duration = parse_duration(value);
  if (!duration) bad_value(flag, value, "want a duration such as 1s, 250ms or 1m30s");
  if (duration->count() < 0) bad_value(flag, value, "must not be negative");
  return *duration;
}

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) {
  constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 6> kLevels{{
      {"trace", spdlog::level::trace},
      {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},
      {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},
      {"off", spdlog::level::off},
  }};
  for (const auto& [known, level] : kLevels) {
    if (name == known) return level;
  }
  return std::nullopt;
}

}  // namespace gonet
