#include "servers/clock/clock_face.hpp"

#include <ctime>

namespace gonet {

const std::string& ClockFace::line(std::chrono::sys_seconds second) {
  if (second == shown_) return line_;
  shown_ = second;

  const std::time_t t = std::chrono::system_clock::to_time_t(second);
  std::tm local{};
  ::localtime_r(&t, &local);
  // strftime returns 0 both for "too small" and for an empty result: grow, within reason.
  std::size_t size = format_.size() + 64;
  line_.resize(size);
  std::size_t length = 0;
  while (!format_.empty() && size <= (std::size_t{16} << 20)) {
    length = std::strftime(line_.data(), line_.size(), format_.c_str(), &local);
    if (length > 0) break;
    size *= 2;
    line_.resize(size);
  }
  line_.resize(length);
  line_ += '\n';
  return line_;
}

}  // namespace gonet
