// parse_clockwall_options on NAME=HOST:PORT arguments. Input: byte 0 picks a shape, the rest
// split on '\0' gives the arguments. Shape bit 0: prefix every argument that has no '=' with a
// made-up clock name, so the mutator spends its time on hosts and ports; bit 1: add -once;
// bit 2: put "--" before the clocks.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_args.hpp"

namespace {
const gonet::Program kClockwall{"clockwall", "fuzz"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t shape = data[0];
  std::vector<std::string> clocks = fuzz::split_args(data + 1, size - 1);
  if (shape & 1) {
    for (std::size_t i = 0; i < clocks.size(); ++i) {
      if (clocks[i].find('=') == std::string::npos && !clocks[i].starts_with('-')) {
        clocks[i] = "Clock" + std::to_string(i) + "=" + clocks[i];
      }
    }
  }
  std::vector<std::string> args;
  if (shape & 2) args.emplace_back("-once");
  if (shape & 4) args.emplace_back("--");
  args.insert(args.end(), clocks.begin(), clocks.end());

  gonet::ClockwallOptions wall;
  if (fuzz::parses("parse_clockwall_options", args,
                   [&] { wall = gonet::parse_clockwall_options(kClockwall, args); })) {
    fuzz::check_clockwall(wall, args);
    if (shape & 2) fuzz::check(wall.once, "-once given but not set");
    // Every clock argument after "--" is a clock, in order.
    if (shape & 4) {
      fuzz::check(wall.clocks.size() == clocks.size(), "a clock after -- went missing");
      for (std::size_t i = 0; i < clocks.size(); ++i) {
        const auto equals = clocks[i].find('=');
        fuzz::check(
            equals != std::string::npos && wall.clocks[i].name == clocks[i].substr(0, equals),
            "clocks out of order");
        const auto server = gonet::parse_host_port(std::string_view(clocks[i]).substr(equals + 1));
        fuzz::check(server && *server == wall.clocks[i].server, "a clock's server differs");
      }
    }
  }
  return 0;
}
