#include "common/cli/command_line.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/cli/go_style.hpp"
#include "common/cli/values.hpp"

// The project's version, from CMake's project(gonet VERSION ...): the one place it is written.
#ifndef GONET_VERSION
#error "GONET_VERSION must come from CMake (the project version)"
#endif

namespace gonet {
namespace {

// cxxopts quotes names in ‘’; one plain line is what the user gets.
std::string plain(std::string text) {
  for (const std::string_view quote : {"\u2018", "\u2019"}) {
    for (auto at = text.find(quote); at != std::string::npos; at = text.find(quote)) {
      text.replace(at, quote.size(), "'");
    }
  }
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// cxxopts lists groups alphabetically; the options every program has come first, then the
// server's, then the family's own.
std::vector<std::string> help_groups(const cxxopts::Options& options) {
  std::vector<std::string> groups = options.groups();
  std::stable_partition(groups.begin(), groups.end(),
                        [](const std::string& group) { return group == "server"; });
  std::stable_partition(groups.begin(), groups.end(),
                        [](const std::string& group) { return group.empty(); });
  return groups;
}

}  // namespace

cxxopts::Options command_line(const Program& program, std::string_view positional) {
  cxxopts::Options options(std::string(program.name), std::string(program.summary));
  if (!positional.empty()) options.positional_help(std::string(positional));
  options.add_options()("h,help", "print this help and exit")("version",
                                                              "print the version and exit")(
      "log-level", "trace, debug, info, warn, error or off; logs go to stderr",
      cxxopts::value<std::string>()->default_value("info"), "L");
  return options;
}

cxxopts::ParseResult parse(cxxopts::Options& options, const Program& program,
                           const std::vector<std::string>& args) {
  std::set<std::string, std::less<>> value_flags;
  for (const std::string& group : options.groups()) {
    for (const auto& option : options.group_help(group).options) {
      if (!option.is_boolean) value_flags.insert(option.l.begin(), option.l.end());
    }
  }
  std::vector<std::string> rewritten = go_style(args, value_flags);
  std::vector<char*> argv;
  std::string name(program.name);
  argv.push_back(name.data());
  for (std::string& arg : rewritten) argv.push_back(arg.data());
  try {
    auto result = options.parse(static_cast<int>(argv.size()), argv.data());
    if (result.count("help") > 0) throw EarlyExit{options.help(help_groups(options))};
    if (result.count("version") > 0) {
      throw EarlyExit{std::string(program.name) + " (gonet) " + GONET_VERSION + "\n"};
    }
    if (!result.unmatched().empty()) {
      throw UsageError("unexpected argument \"" + result.unmatched().front() + "\"");
    }
    return result;
  } catch (const cxxopts::exceptions::exception& e) {
    throw UsageError(plain(e.what()));
  }
}

spdlog::level::level_enum log_level(const cxxopts::ParseResult& result) {
  const auto& name = result["log-level"].as<std::string>();
  const auto level = parse_log_level(name);
  if (!level) bad_value("log-level", name, "want trace, debug, info, warn, error or off");
  return *level;
}

}  // namespace gonet
