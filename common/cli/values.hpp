#pragma once

#include <charconv>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <spdlog/common.h>

#include "common/cli/program.hpp"

namespace gonet {

// The parsers of flag values every family uses. Each throws UsageError worded as Go's flag
// package words it: invalid value "70000" for flag -port: want a port number from 0 to 65535.

[[noreturn]] void bad_value(std::string_view flag, std::string_view value, std::string_view why);

// A whole number in decimal, within [min, max].
template <class Unsigned>
Unsigned parse_count(std::string_view flag, const std::string& value, Unsigned min, Unsigned max) {
  Unsigned number{};
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || number < min ||
      number > max) {
    bad_value(flag, value,
              "want a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return number;
}

// A Go duration ("1s", "250ms", "1m30s"), not negative.
std::chrono::nanoseconds parse_duration_flag(std::string_view flag, const std::string& value);

// The levels -log-level accepts, by name; nullopt for anything else.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

}  // namespace gonet
