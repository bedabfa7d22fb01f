#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace gonet {

// Who is parsing: the name every message starts with and the line --help begins with.
struct Program {
  std::string_view name;
  std::string_view summary;
  bool concurrent = true;  // offers -threads; a sequential server serves one client at a time
};

// Bad usage: the message is the one line a program prints after its name, then exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// -h, --help or --version: `text` goes to stdout and the program exits 0.
struct EarlyExit {
  std::string text;
};

}  // namespace gonet
