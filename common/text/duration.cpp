#include "common/text/duration.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

namespace gonet {
namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

struct Unit {
  std::string_view name;
  std::int64_t nanoseconds;
};

constexpr std::array<Unit, 8> kUnits{{{"ns", 1},
                                      {"us", 1'000},
                                      {"\u00b5s", 1'000},  // micro sign
                                      {"\u03bcs", 1'000},  // Greek mu
                                      {"ms", 1'000'000},
                                      {"s", 1'000'000'000},
                                      {"m", 60'000'000'000},
                                      {"h", 3'600'000'000'000}}};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A number of a duration, "1", "1.5" or ".5": whole + fraction / scale.
struct Number {
  std::uint64_t whole = 0;
  std::uint64_t fraction = 0;
  std::uint64_t scale = 1;
};

// The number at the front of `text`, taken off it; nullopt if there is none, or if its whole part
// passes `limit`.
std::optional<Number> take_number(std::string_view& text, std::uint64_t limit) {
  Number number;
  bool digits = false;
  while (!text.empty() && is_digit(text[0])) {
    const auto digit = static_cast<std::uint64_t>(text[0] - '0');
    if (number.whole > (limit - digit) / 10) return std::nullopt;
    number.whole = number.whole * 10 + digit;
    text.remove_prefix(1);
    digits = true;
  }
  if (!text.empty() && text[0] == '.') {
    text.remove_prefix(1);
    while (!text.empty() && is_digit(text[0])) {
      if (number.scale < 1'000'000'000'000'000) {  // digits past this cannot matter
        number.fraction = number.fraction * 10 + static_cast<std::uint64_t>(text[0] - '0');
        number.scale *= 10;
      }
      text.remove_prefix(1);
      digits = true;
    }
  }
  if (!digits) return std::nullopt;
  return number;
}

// The unit at the front of `text`, taken off it; nullptr if there is none.
const Unit* take_unit(std::string_view& text) {
  const Unit* unit = nullptr;
  for (const Unit& candidate : kUnits) {
    // The longest name wins, so "ms" is not read as "m" followed by garbage.
    if (text.starts_with(candidate.name) &&
        (unit == nullptr || candidate.name.size() > unit->name.size())) {
      unit = &candidate;
    }
  }
  if (unit != nullptr) text.remove_prefix(unit->name.size());
  return unit;
}

}  // namespace

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return std::chrono::nanoseconds{0};
  if (text.empty()) return std::nullopt;

  // Exact integer arithmetic, as Go does: a fraction is kept as digits over a power of ten. The
  // magnitude may reach 2^63 when negative, one past the largest positive value.
  const std::uint64_t limit = static_cast<std::uint64_t>(kMax) + (negative ? 1 : 0);
  std::uint64_t total = 0;
  while (!text.empty()) {
    const auto number = take_number(text, limit);
    const Unit* unit = number ? take_unit(text) : nullptr;
    if (unit == nullptr) return std::nullopt;
    const auto unit_ns = static_cast<std::uint64_t>(unit->nanoseconds);
    if (number->whole > limit / unit_ns) return std::nullopt;
    const std::uint64_t value = number->whole * unit_ns;
    const auto part = static_cast<std::uint64_t>(static_cast<long double>(number->fraction) *
                                                 static_cast<long double>(unit_ns) /
                                                 static_cast<long double>(number->scale));
    if (value > limit - part || total > limit - (value + part)) return std::nullopt;
    total += value + part;
  }
  // Two's complement: the magnitude 2^63 negates to the most negative value.
  const auto magnitude = static_cast<std::int64_t>(negative ? 0 - total : total);
  return std::chrono::nanoseconds{magnitude};
}

std::string format_duration(std::chrono::nanoseconds duration) {
  if (duration.count() == 0) return "0s";
  std::string text = duration.count() < 0 ? "-" : "";
  // Unsigned, so that the most negative duration has a magnitude too.
  std::uint64_t rest = static_cast<std::uint64_t>(duration.count());
  if (duration.count() < 0) rest = 0 - rest;
  constexpr std::uint64_t us = 1'000, ms = 1'000'000, s = 1'000'000'000;
  if (rest < s) {
    if (rest % ms == 0) return text + std::to_string(rest / ms) + "ms";
    if (rest % us == 0) return text + std::to_string(rest / us) + "us";
    return text + std::to_string(rest) + "ns";
  }
  const std::uint64_t h = rest / (3600 * s);
  rest -= h * 3600 * s;
  const std::uint64_t m = rest / (60 * s);
  rest -= m * 60 * s;
  if (h > 0) text += std::to_string(h) + "h";
  if (h > 0 || m > 0) text += std::to_string(m) + "m";
  text += std::to_string(rest / s);
  if (const std::uint64_t millis = rest % s / ms; millis > 0) {
    std::string fraction = std::to_string(1000 + millis).substr(1);
    while (fraction.back() == '0') fraction.pop_back();
    text += "." + fraction;
  }
  return text + "s";
}

}  // namespace gonet
