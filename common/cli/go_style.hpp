#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace gonet {

// Go's flag syntax on top of cxxopts: "-port" becomes "--port" (cxxopts would read it as
// "-p -o -r -t"); single letters, "--" and what follows it are left alone, and so is the
// argument after a flag named in `value_flags`, which is that flag's value ("-format -%H").
std::vector<std::string> go_style(std::vector<std::string> args,
                                  const std::set<std::string, std::less<>>& value_flags = {});

}  // namespace gonet
