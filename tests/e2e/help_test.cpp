// What every program's --help says (issue 10: each default once).
#include <sstream>

#include <gtest/gtest.h>

#include "tests/e2e/programs.hpp"

namespace e2e {
namespace {

constexpr const char* kPrograms[] = {"clock1",  "clock2",  "reverb1",   "reverb2", "netcat1",
                                     "netcat2", "netcat3", "clockwall", "chat"};

// The entries of a --help text, one per flag: its line and the lines that continue it.
std::vector<std::string> flag_entries(const std::string& help) {
  std::vector<std::string> entries;
  std::istringstream lines(help);
  for (std::string line; std::getline(lines, line);) {
    const auto text = line.find_first_not_of(' ');
    if (text == std::string::npos) continue;
    if (line[text] == '-' && text > 0) {
      entries.push_back(line);
    } else if (!entries.empty() && text > 10) {
      entries.back() += " " + line.substr(text);
    }
  }
  return entries;
}

std::size_t count(const std::string& text, std::string_view word) {
  std::size_t n = 0;
  for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

TEST(Help, ShowsEachDefaultOnceInEveryProgram) {
  for (const char* program : kPrograms) {
    auto help = start_program(program, {"--help"});
    EXPECT_EQ(help.wait_exit(3s), 0) << program;
    const auto entries = flag_entries(help.read_stdout_until_eof(1s));
    EXPECT_GE(entries.size(), 4u) << program;
    for (const std::string& entry : entries) {
      EXPECT_LE(count(entry, "default"), 1u) << program << ": " << entry;
      // One way to say it: "(default: X)", as cxxopts says it.
      EXPECT_EQ(count(entry, "default"), count(entry, "(default: ")) << program << ": " << entry;
    }
  }
}

}  // namespace
}  // namespace e2e
