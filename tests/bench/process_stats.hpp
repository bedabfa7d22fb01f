// What the load generators read about the server under load, from /proc, and the summaries they
// print.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace bench {

// VmRSS of `pid` in KiB; -1 if it cannot be read.
long resident_kib(pid_t pid);

// The CPU time `pid` has used, in user space and in the kernel; zero if it cannot be read.
struct CpuTime {
  std::chrono::nanoseconds user{};
  std::chrono::nanoseconds system{};
  std::chrono::nanoseconds total() const { return user + system; }
  CpuTime operator-(const CpuTime& before) const {
    return {user - before.user, system - before.system};
  }
};
CpuTime cpu_time(pid_t pid);

// How many descriptors `pid` holds open; -1 if it cannot be read.
long open_descriptors(pid_t pid);

// Raises this process's open-file limit to its hard limit and returns the new limit.
std::size_t raise_descriptor_limit();

// The p-th percentile (0..100) of `values`, which it sorts; NaN when empty.
double percentile(std::vector<double>& values, double p);

// A JSON object written one member at a time: {"a":1,"b":"x"}.
class JsonLine {
 public:
  JsonLine& add(const std::string& key, double value);
  JsonLine& add(const std::string& key, long long value);
  JsonLine& add(const std::string& key, const std::string& value);
  std::string str() const { return "{" + body_ + "}"; }

 private:
  void key(const std::string& name);
  std::string body_;
};

// Adds the server's CPU over `secs` as percentages of one core: server_cpu_pct in all, and
// server_kernel_pct of it in the kernel (on loopback, most of a send is the receiver's work).
void add_server_cpu(JsonLine& json, const CpuTime& used, std::chrono::seconds secs);

}  // namespace bench
