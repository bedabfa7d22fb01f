// go_style and every options parser on one argument vector (the input split on '\0'). A parser
// may answer with UsageError or EarlyExit; any other exception, a crash or a sanitizer report
// is a finding, and so is a parsed result outside the ranges the spec gives.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_args.hpp"

namespace {

using fuzz::check;

const gonet::Program kClock2{"clock2", "fuzz", true};
const gonet::Program kReverb1{"reverb1", "fuzz", false};
const gonet::Program kNetcat1{"netcat1", "fuzz"};
const gonet::Program kClockwall{"clockwall", "fuzz"};

void check_go_style(const std::vector<std::string>& args) {
  const auto rewritten = gonet::go_style(args);
  check(rewritten.size() == args.size(), "go_style changed the number of arguments");
  bool after_dashes = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const bool go_flag = !after_dashes && arg.size() > 2 && arg[0] == '-' && arg[1] != '-' &&
                         ((arg[1] >= 'a' && arg[1] <= 'z') || (arg[1] >= 'A' && arg[1] <= 'Z'));
    check(rewritten[i] == (go_flag ? "-" + arg : arg), "go_style rewrote an argument wrongly");
    if (arg == "--") after_dashes = true;
  }
  check(gonet::go_style(rewritten) == rewritten, "go_style is not idempotent");
}

void check_serve(const gonet::ServeOptions& serve, bool concurrent) {
  check(serve.threads >= 1 && serve.threads <= 256, "-threads out of 1..256");
  check(concurrent || serve.threads == 1, "-threads on a sequential server");
  check(serve.max_conns <= 1'000'000'000, "-max-conns out of range");
  check(serve.max_conns_per_host <= 1'000'000'000, "-max-conns-per-host out of range");
  check(serve.write_timeout.count() > 0, "-write-timeout not positive");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::string> args = fuzz::split_args(data, size);
  check_go_style(args);

  gonet::ClockOptions clock;
  if (fuzz::parses("parse_clock_options", args,
                   [&] { clock = gonet::parse_clock_options(kClock2, args); })) {
    check_serve(clock.serve, true);
  }
  gonet::ReverbOptions reverb;
  if (fuzz::parses("parse_reverb_options", args,
                   [&] { reverb = gonet::parse_reverb_options(kReverb1, args); })) {
    check_serve(reverb.serve, false);
    check(reverb.delay.count() >= 0, "a negative -delay");
    check(reverb.idle_timeout.count() >= 0, "a negative -idle-timeout");
    check(reverb.max_line >= 1 && reverb.max_line <= (std::size_t{1} << 30),
          "-max-line out of range");
  }
  gonet::DialOptions dial;
  if (fuzz::parses("parse_dial_options", args,
                   [&] { dial = gonet::parse_dial_options(kNetcat1, args); })) {
    check(!dial.server.host.empty(), "a client without a host");
    check(dial.server.port >= 1 || !dial.server.service.empty(), "a client dialing port 0");
    check((dial.server.port == 0) != dial.server.service.empty(), "a port and a service at once");
    // The host is the default or came whole from one argument: HOST, HOST:PORT or -host=HOST.
    bool named = dial.server.host == "localhost";
    for (const std::string& arg : args) {
      named = named || arg == dial.server.host || gonet::parse_host_port(arg) == dial.server ||
              arg.ends_with("=" + dial.server.host) || arg == "[" + dial.server.host + "]" ||
              arg.ends_with("=[" + dial.server.host + "]");
    }
    check(named, "a client's host that no argument names");
  }
  gonet::ClockwallOptions wall;
  if (fuzz::parses("parse_clockwall_options", args,
                   [&] { wall = gonet::parse_clockwall_options(kClockwall, args); })) {
    fuzz::check_clockwall(wall, args);
  }
  return 0;
}
