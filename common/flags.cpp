#include "common/flags.hpp"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>

// No std::regex: its recursive matcher overflows the stack on a long argument (a crash any
// user could provoke), and the parsers check every value themselves. No vector delimiter: a
// clock's name or a server may hold a comma, and each argument is one value.
#define CXXOPTS_NO_REGEX
#define CXXOPTS_VECTOR_DELIMITER '\0'
#include <cxxopts.hpp>

#include "common/duration.hpp"
#include "common/log.hpp"
#include "common/time_zone.hpp"

#ifndef GONET_VERSION
#define GONET_VERSION "0.0.0"
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

[[noreturn]] void bad_value(std::string_view flag, std::string_view value, std::string_view why) {
  throw UsageError("invalid value \"" + std::string(value) + "\" for flag -" + std::string(flag) +
                   ": " + std::string(why));
}

template <class Unsigned>
Unsigned parse_count(std::string_view flag, const std::string& value, Unsigned min, Unsigned max) {
  Unsigned number{};
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
  if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || number < min ||
      number > max) {
    bad_value(flag, value,
              "want a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return number;
}

std::chrono::nanoseconds parse_duration_flag(std::string_view flag, const std::string& value) {
  const auto duration = parse_duration(value);
  if (!duration) bad_value(flag, value, "want a duration such as 1s, 250ms or 1m30s");
  if (duration->count() < 0) bad_value(flag, value, "must not be negative");
  return *duration;
}

// The options every program has; the rest are added by the program's family.
cxxopts::Options make_options(const Program& program, std::string_view positional = "") {
  cxxopts::Options options(std::string(program.name), std::string(program.summary));
  if (!positional.empty()) options.positional_help(std::string(positional));
  options.add_options()("h,help", "print this help and exit")("version",
                                                              "print the version and exit")(
      "log-level", "trace, debug, info, warn, error or off; logs go to stderr",
      cxxopts::value<std::string>()->default_value("info"), "L");
  return options;
}

void add_serve_options(cxxopts::Options& options, const Program& program) {
  options.add_options("server")("port", "TCP port; 0 picks a free one",
                                cxxopts::value<std::string>()->default_value("8000"), "N")(
      "host", "address to bind (0.0.0.0 or :: for all interfaces)",
      cxxopts::value<std::string>()->default_value("localhost"),
      "H")("max-conns", "connections served at once; 0 means no cap but the descriptor limit",
           cxxopts::value<std::string>()->default_value("0"),
           "N")("write-timeout", "drop a client whose write has been stuck this long",
                cxxopts::value<std::string>()->default_value("30s"), "D");
  if (program.concurrent) {
    options.add_options("server")("threads", "event loops, each with its own listener",
                                  cxxopts::value<std::string>()->default_value("1"), "N");
  }
}

// Parses or throws; --help and --version come out as EarlyExit.
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
    if (result.count("help") > 0) throw EarlyExit{options.help({"", "server", "clock", "reverb"})};
    if (result.count("version") > 0) {
      throw EarlyExit{std::string(program.name) + " " + GONET_VERSION + "\n"};
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

ServeOptions serve_options(const cxxopts::ParseResult& result, const Program& program) {
  ServeOptions serve;
  serve.listen.host = result["host"].as<std::string>();
  const auto& port = result["port"].as<std::string>();
  const auto number = parse_port(port);
  if (!number) bad_value("port", port, "want a port number from 0 to 65535");
  serve.listen.port = *number;
  serve.max_conns = parse_count<std::size_t>("max-conns", result["max-conns"].as<std::string>(), 0,
                                             1'000'000'000);
  serve.write_timeout =
      parse_duration_flag("write-timeout", result["write-timeout"].as<std::string>());
  if (serve.write_timeout.count() == 0) {
    bad_value("write-timeout", result["write-timeout"].as<std::string>(), "must be positive");
  }
  if (program.concurrent) {
    serve.threads = parse_count<unsigned>("threads", result["threads"].as<std::string>(), 1, 256);
  }
  serve.log_level = log_level(result);
  return serve;
}

template <class Options, class Parser>
Options parse_or_exit(const Program& program, int argc, char* argv[], Parser parser) {
  try {
    return parser(program, std::vector<std::string>(argv + 1, argv + argc));
  } catch (const EarlyExit& done) {
    std::fputs(done.text.c_str(), stdout);
    std::exit(0);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "%.*s: %s; see --help\n", static_cast<int>(program.name.size()),
                 program.name.data(), e.what());
    std::exit(2);
  }
}

}  // namespace

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

ClockOptions parse_clock_options(const Program& program, const std::vector<std::string>& args) {
  auto options = make_options(program);
  add_serve_options(options, program);
  options.add_options("clock")("tz",
                               "IANA time zone of the times sent (default $TZ, else the "
                               "system zone)",
                               cxxopts::value<std::string>()->default_value(""), "ZONE")(
      "format", "strftime pattern of each line",
      cxxopts::value<std::string>()->default_value("%H:%M:%S"), "F");
  const auto result = parse(options, program, args);

  ClockOptions clock;
  clock.serve = serve_options(result, program);
  clock.zone = result["tz"].as<std::string>();
  if (!clock.zone.empty() && !is_known_time_zone(clock.zone)) {
    bad_value("tz", clock.zone, "unknown time zone");
  }
  clock.format = result["format"].as<std::string>();
  return clock;
}

ReverbOptions parse_reverb_options(const Program& program, const std::vector<std::string>& args) {
  auto options = make_options(program);
  add_serve_options(options, program);
  options.add_options("reverb")("delay", "pause between the three parts of an echo",
                                cxxopts::value<std::string>()->default_value("1s"), "D")(
      "idle-timeout", "close a connection that completes no line for this long; 0 means never",
      cxxopts::value<std::string>()->default_value("0"),
      "D")("max-line", "longest line in bytes, its end not counted",
           cxxopts::value<std::string>()->default_value("65536"), "N");
  const auto result = parse(options, program, args);

  ReverbOptions reverb;
  reverb.serve = serve_options(result, program);
  reverb.delay = parse_duration_flag("delay", result["delay"].as<std::string>());
  reverb.idle_timeout =
      parse_duration_flag("idle-timeout", result["idle-timeout"].as<std::string>());
  reverb.max_line = parse_count<std::size_t>("max-line", result["max-line"].as<std::string>(), 1,
                                             std::size_t{1} << 30);
  return reverb;
}

DialOptions parse_dial_options(const Program& program, const std::vector<std::string>& args) {
  auto options = make_options(program, "[HOST:PORT | HOST PORT]");
  options.add_options()("host", "server host (default localhost)", cxxopts::value<std::string>(),
                        "H")("port", "server port (default 8000)", cxxopts::value<std::string>(),
                             "N")("server", "", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"server"});
  const auto result = parse(options, program, args);

  DialOptions dial;
  dial.log_level = log_level(result);
  if (result.count("server") > 0) {
    if (result.count("host") > 0 || result.count("port") > 0) {
      throw UsageError("give the server as HOST:PORT, HOST PORT or -host/-port, not both");
    }
    const auto& words = result["server"].as<std::vector<std::string>>();
    if (words.size() == 1) {
      const auto endpoint = parse_host_port(words[0]);
      if (!endpoint) {
        throw UsageError("invalid server \"" + words[0] +
                         "\": want HOST:PORT, HOST PORT or [::1]:PORT");
      }
      dial.server = *endpoint;
    } else if (words.size() == 2) {
      const auto port = parse_port(words[1], 1);
      if (words[0].empty() || !port) {
        throw UsageError("invalid server \"" + words[0] + " " + words[1] +
                         "\": want HOST PORT with a port from 1 to 65535");
      }
      dial.server = Endpoint{words[0], *port};
    } else {
      throw UsageError("too many arguments: want HOST:PORT or HOST PORT");
    }
    return dial;
  }
  if (result.count("host") > 0) dial.server.host = result["host"].as<std::string>();
  if (result.count("port") > 0) {
    const auto& port = result["port"].as<std::string>();
    const auto number = parse_port(port, 1);
    if (!number) bad_value("port", port, "want a port number from 1 to 65535");
    dial.server.port = *number;
  }
  if (dial.server.host.empty()) bad_value("host", "", "want a host name or address");
  return dial;
}

ClockwallOptions parse_clockwall_options(const Program& program,
                                         const std::vector<std::string>& args) {
  auto options = make_options(program, "NAME=HOST:PORT ...");
  options.add_options()("once", "print the header and one row, then exit")(
      "timeout", "with -once, how long to wait for every clock",
      cxxopts::value<std::string>()->default_value("5s"),
      "D")("clocks", "", cxxopts::value<std::vector<std::string>>());
  options.parse_positional({"clocks"});
  const auto result = parse(options, program, args);

  ClockwallOptions wall;
  wall.log_level = log_level(result);
  wall.once = result["once"].as<bool>();
  wall.timeout = parse_duration_flag("timeout", result["timeout"].as<std::string>());
  if (result.count("clocks") == 0) throw UsageError("no clocks: want NAME=HOST:PORT ...");
  for (const std::string& arg : result["clocks"].as<std::vector<std::string>>()) {
    const auto equals = arg.find('=');
    const auto server = equals == std::string::npos
                            ? std::nullopt
                            : parse_host_port(std::string_view(arg).substr(equals + 1));
    if (equals == 0 || !server) {
      throw UsageError("invalid clock \"" + arg + "\": want NAME=HOST:PORT");
    }
    wall.clocks.push_back(WallClock{arg.substr(0, equals), *server});
  }
  return wall;
}

ClockOptions clock_flags(const Program& program, int argc, char* argv[]) {
  auto options = parse_or_exit<ClockOptions>(program, argc, argv, parse_clock_options);
  init_logging(program.name, options.serve.log_level);
  use_time_zone(options.zone);
  return options;
}

ReverbOptions reverb_flags(const Program& program, int argc, char* argv[]) {
  auto options = parse_or_exit<ReverbOptions>(program, argc, argv, parse_reverb_options);
  init_logging(program.name, options.serve.log_level);
  return options;
}

ClockwallOptions clockwall_flags(const Program& program, int argc, char* argv[]) {
  auto options = parse_or_exit<ClockwallOptions>(program, argc, argv, parse_clockwall_options);
  init_logging(program.name, options.log_level);
  return options;
}

DialOptions dial_flags(const Program& program, int argc, char* argv[]) {
  auto options = parse_or_exit<DialOptions>(program, argc, argv, parse_dial_options);
  init_logging(program.name, options.log_level);
  return options;
}

}  // namespace gonet
