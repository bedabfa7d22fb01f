#include "common/net/journal_stream.hpp"

#include <sys/stat.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>

namespace gonet {

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  std::uintmax_t device = 0;
  std::uintmax_t inode = 0;
  struct stat status {};
  return stream != nullptr && std::sscanf(stream, "%" SCNuMAX ":%" SCNuMAX, &device, &inode) == 2 &&
         ::fstat(2, &status) == 0 && status.st_dev == device && status.st_ino == inode;
}

void JournalPriority::format(const spdlog::details::log_msg& msg, const std::tm&,
                             spdlog::memory_buf_t& dest) {
  char priority = '6';
  switch (msg.level) {
    case spdlog::level::critical:
    case spdlog::level::err:
      priority = '3';
      break;
    case spdlog::level::warn:
      priority = '4';
      break;
    case spdlog::level::debug:
    case spdlog::level::trace:
      priority = '7';
      break;
    default:
      break;
  }
  const char prefix[] = {'<', priority, '>'};
  dest.append(prefix, prefix + sizeof prefix);
}

}  // namespace gonet
