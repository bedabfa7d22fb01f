#include "common/cli/program.hpp"

#include <cstdio>
#include <cstdlib>

namespace gonet {

void exit_early(const EarlyExit& early) {
  std::fputs(early.text.c_str(), stdout);
  std::exit(0);
}

void exit_with_usage_error(const Program& program, const UsageError& error) {
  std::fprintf(stderr, "%.*s: %s; see --help\n", static_cast<int>(program.name.size()),
               program.name.data(), error.what());
  std::exit(2);
}

}  // namespace gonet
