#include "common/cli/go_style.hpp"

#include <cctype>
#include <string_view>

namespace gonet {

std::vector<std::string> go_style(std::vector<std::string> args,
                                  const std::set<std::string, std::less<>>& value_flags) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string& arg = args[i];
    if (arg == "--") break;
    const bool single_dash = arg.size() > 2 && arg[0] == '-' && arg[1] != '-';
    if (single_dash && std::isalpha(static_cast<unsigned char>(arg[1]))) arg.insert(0, "-");
    // As in Go, the argument after a flag that takes a value is that value, whatever it is.
    if (arg.starts_with("--") && arg.find('=') == std::string::npos &&
        value_flags.contains(std::string_view(arg).substr(2))) {
      ++i;
    }
  }
  return args;
}

}  // namespace gonet
