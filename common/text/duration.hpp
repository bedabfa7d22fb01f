#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace gonet {

// Go's time.ParseDuration: "1s", "250ms", "1m30s", "1.5s", "0", "-2h"; units ns us µs ms s m h.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

// Go's Duration.String, shortened: "1s", "250ms", "1m30s", "0s".
std::string format_duration(std::chrono::nanoseconds duration);

}  // namespace gonet
