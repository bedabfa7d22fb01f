#include "common/duration.hpp"

#include <array>
#include <cstdint>
#include <limits>
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

}  // namespace

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") return std::chrono::nanoseconds{0};
  if (text.empty()) return std::nullopt;

  // Exact integer arithmetic, as Go does: a fraction is kept as digits over a power of ten.
  std::int64_t total = 0;
  while (!text.empty()) {
    std::int64_t whole = 0;
    std::int64_t fraction = 0;
    std::int64_t scale = 1;
    bool digits = false;
    while (!text.empty() && is_digit(text[0])) {
      if (whole > (kMax - 9) / 10) return std::nullopt;
      whole = whole * 10 + (text[0] - '0');
      text.remove_prefix(1);
      digits = true;
    }
    if (!text.empty() && text[0] == '.') {
      text.remove_prefix(1);
      while (!text.empty() && is_digit(text[0])) {
        if (scale < 1'000'000'000'000'000) {  // digits past this cannot matter
          fraction = fraction * 10 + (text[0] - '0');
          scale *= 10;
        }
        text.remove_prefix(1);
        digits = true;
      }
    }
    if (!digits) return std::nullopt;

    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      // The longest name wins, so "ms" is not read as "m" followed by garbage.
      if (text.starts_with(candidate.name) &&
          (unit == nullptr || candidate.name.size() > unit->name.size())) {
        unit = &candidate;
      }
    }
    if (unit == nullptr) return std::nullopt;
    text.remove_prefix(unit->name.size());

    if (whole > kMax / unit->nanoseconds) return std::nullopt;
    std::int64_t value = whole * unit->nanoseconds;
    const auto part = static_cast<std::int64_t>(static_cast<long double>(fraction) *
                                                static_cast<long double>(unit->nanoseconds) /
                                                static_cast<long double>(scale));
    if (value > kMax - part || total > kMax - (value + part)) return std::nullopt;
    total += value + part;
  }
  return std::chrono::nanoseconds{negative ? -total : total};
}

std::string format_duration(std::chrono::nanoseconds duration) {
  using namespace std::chrono;
  if (duration == nanoseconds::zero()) return "0s";
  std::string text = duration < nanoseconds::zero() ? "-" : "";
  auto rest = duration < nanoseconds::zero() ? -duration : duration;
  if (rest < seconds(1)) {
    if (rest % milliseconds(1) == nanoseconds::zero()) {
      return text + std::to_string(duration_cast<milliseconds>(rest).count()) + "ms";
    }
    if (rest % microseconds(1) == nanoseconds::zero()) {
      return text + std::to_string(duration_cast<microseconds>(rest).count()) + "us";
    }
    return text + std::to_string(rest.count()) + "ns";
  }
  const auto h = duration_cast<hours>(rest);
  rest -= h;
  const auto m = duration_cast<minutes>(rest);
  rest -= m;
  if (h.count() > 0) text += std::to_string(h.count()) + "h";
  if (h.count() > 0 || m.count() > 0) text += std::to_string(m.count()) + "m";
  const auto s = duration_cast<seconds>(rest);
  const auto ms = duration_cast<milliseconds>(rest - s);
  text += std::to_string(s.count());
  if (ms.count() > 0) {
    std::string fraction = std::to_string(1000 + ms.count()).substr(1);
    while (fraction.back() == '0') fraction.pop_back();
    text += "." + fraction;
  }
  return text + "s";
}

}  // namespace gonet
