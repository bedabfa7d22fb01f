#include "servers/reverb/reverb_options.hpp"

#include "common/cli/command_line.hpp"
#include "common/cli/serve_flags.hpp"
#include "common/cli/values.hpp"

namespace gonet {

ReverbOptions parse_reverb_options(const Program& program, const std::vector<std::string>& args) {
  auto options = command_line(program);
  add_serve_flags(options, program);
  options.add_options("reverb")("delay", "pause between the three parts of an echo",
                                cxxopts::value<std::string>()->default_value("1s"), "D")(
      "idle-timeout", "close a connection that completes no line for this long; 0 means never",
      cxxopts::value<std::string>()->default_value("0"),
      "D")("max-line", "longest line in bytes, its end not counted",
           cxxopts::value<std::string>()->default_value("65536"), "N");
  const auto result = parse(options, program, args);

  ReverbOptions reverb;
  reverb.serve = serve_flags(result, program);
  reverb.delay = parse_duration_flag("delay", result["delay"].as<std::string>());
  reverb.idle_timeout =
      parse_duration_flag("idle-timeout", result["idle-timeout"].as<std::string>());
  reverb.max_line = parse_count<std::size_t>("max-line", result["max-line"].as<std::string>(), 1,
                                             std::size_t{1} << 30);
  return reverb;
}

}  // namespace gonet
