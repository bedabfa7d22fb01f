#include "servers/clock/time_zone.hpp"

#include <cstdlib>
#include <ctime>
#include <fstream>

namespace gonet {

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

void use_time_zone(const std::string& zone) {
  if (zone.empty()) return;
  ::setenv("TZ", zone.c_str(), 1);
  ::tzset();
}

}  // namespace gonet
