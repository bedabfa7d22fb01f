#include "tests/bench/process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

namespace bench {

long resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

CpuTime cpu_time(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  const std::string stat((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  // The command name may hold spaces and parentheses: the fields start after the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  long long utime = 0;
  long long stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  const double tick_ns = 1e9 / static_cast<double>(::sysconf(_SC_CLK_TCK));
  return {std::chrono::nanoseconds(static_cast<long long>(static_cast<double>(utime) * tick_ns)),
          std::chrono::nanoseconds(static_cast<long long>(static_cast<double>(stime) * tick_ns))};
}

long open_descriptors(pid_t pid) {
  std::error_code ec;
  std::filesystem::directory_iterator fds("/proc/" + std::to_string(pid) + "/fd", ec);
  if (ec) return -1;
  return std::distance(fds, std::filesystem::directory_iterator{});
}

std::size_t raise_descriptor_limit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  return static_cast<std::size_t>(limit.rlim_cur);
}

double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const auto at = static_cast<std::size_t>(p / 100 * static_cast<double>(values.size()));
  return values[std::min(values.size() - 1, at)];
}

void JsonLine::key(const std::string& name) {
  if (!body_.empty()) body_ += ",";
  body_ += "\"" + name + "\":";
}

JsonLine& JsonLine::add(const std::string& name, double value) {
  key(name);
  if (!std::isfinite(value)) {
    body_ += "null";
  } else {
    std::ostringstream out;
    out.precision(4);
    out << std::fixed << value;
    std::string text = out.str();
    // 12.3400 -> 12.34, 3.0000 -> 3
    text.erase(text.find_last_not_of('0') + 1);
    if (text.back() == '.') text.pop_back();
    body_ += text;
  }
  return *this;
}

JsonLine& JsonLine::add(const std::string& name, long long value) {
  key(name);
  body_ += std::to_string(value);
  return *this;
}

JsonLine& JsonLine::add(const std::string& name, const std::string& value) {
  key(name);
  body_ += "\"" + value + "\"";
  return *this;
}

void add_server_cpu(JsonLine& json, const CpuTime& used, std::chrono::seconds secs) {
  const auto percent = [secs](std::chrono::nanoseconds time) {
    return 100.0 * std::chrono::duration<double>(time).count() / static_cast<double>(secs.count());
  };
  json.add("server_cpu_pct", percent(used.total())).add("server_kernel_pct", percent(used.system));
}

}  // namespace bench
