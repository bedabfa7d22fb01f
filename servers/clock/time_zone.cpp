#include "servers/clock/time_zone.hpp"

#include <cctype>
#include <cstdlib>
#include <ctime>
#include <fstream>

#include <spdlog/spdlog.h>

namespace gonet {
namespace {

// The start of a POSIX TZ rule: a name of three letters or more (or <...>), then an offset.
bool starts_like_posix_rule(std::string_view tz) {
  std::size_t at = 0;
  if (tz.starts_with('<')) {
    at = tz.find('>');
    if (at == std::string_view::npos || at < 4) return false;
    ++at;
  } else {
    while (at < tz.size() && std::isalpha(static_cast<unsigned char>(tz[at])) != 0) ++at;
    if (at < 3) return false;
  }
  if (at < tz.size() && (tz[at] == '+' || tz[at] == '-')) ++at;
  return at < tz.size() && std::isdigit(static_cast<unsigned char>(tz[at])) != 0;
}

}  // namespace

bool is_known_time_zone(std::string_view zone) {
  // glibc silently falls back to UTC for a zone it cannot find, so look for the file ourselves.
  if (zone.empty() || zone.starts_with('/') || zone.find("..") != std::string_view::npos) {
    return false;
  }
  const char* dir = std::getenv("TZDIR");
  const std::string path =
      std::string(dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo") + "/" +
      std::string(zone);
  std::ifstream file(path, std::ios::binary);
  char magic[4] = {};
  return file.read(magic, sizeof magic) && std::string_view(magic, sizeof magic) == "TZif";
}

bool is_usable_tz_variable(std::string_view tz) {
  if (tz.starts_with(':')) return is_known_time_zone(tz.substr(1));
  return is_known_time_zone(tz) || starts_like_posix_rule(tz);
}

void use_time_zone(const std::string& zone) {
  if (!zone.empty()) {
    ::setenv("TZ", zone.c_str(), 1);
    ::tzset();
    return;
  }
  // Unset is the system zone and empty is UTC, for glibc as for Go: both as the user meant.
  const char* tz = std::getenv("TZ");
  if (tz == nullptr || *tz == '\0' || is_usable_tz_variable(tz)) return;
  spdlog::warn("unknown time zone \"{}\" in $TZ; using UTC", tz);
  ::setenv("TZ", "UTC0", 1);  // a rule, not a file: UTC even where tzdata is missing
  ::tzset();
}

}  // namespace gonet
