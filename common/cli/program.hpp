#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gonet {

// Who is parsing: the name every message starts with and the line --help begins with.
struct Program {
  std::string_view name;
  std::string_view summary;
  bool concurrent = true;  // offers -threads; a sequential server serves one client at a time
  std::size_t max_accept_rate = 0;  // a server's default -max-accept-rate; 0: none
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

[[noreturn]] void exit_early(const EarlyExit& early);
[[noreturn]] void exit_with_usage_error(const Program& program, const UsageError& error);

// What main calls: `parser(program, args)`, whose options it returns; help, version and usage
// errors are printed here and end the program (0, 0 and 2).
template <class Parser>
auto parse_or_exit(const Program& program, int argc, char* argv[], Parser parser) {
  try {
    return parser(program, std::vector<std::string>(argv + 1, argv + argc));
  } catch (const EarlyExit& early) {
    exit_early(early);
  } catch (const UsageError& error) {
    exit_with_usage_error(program, error);
  }
}

}  // namespace gonet
