#include "common/cli/dial_flags.hpp"

#include "common/cli/command_line.hpp"
#include "common/cli/tls_flags.hpp"
#include "common/cli/values.hpp"

namespace gonet {
namespace {

// The server as the arguments give it: HOST:PORT, or HOST PORT.
Endpoint server_of(const std::vector<std::string>& words) {
  if (words.size() == 1) {
    const auto endpoint = parse_host_port(words[0]);
    if (!endpoint && has_port_out_of_range(words[0])) {
      throw UsageError("invalid server \"" + words[0] + "\": port out of range (1 to 65535)");
    }
    if (!endpoint) {
      throw UsageError("invalid server \"" + words[0] +
                       "\": want HOST:PORT, HOST PORT or [::1]:PORT");
    }
    return *endpoint;
  }
  if (words.size() == 2) {
    const auto endpoint = dial_endpoint(words[0], words[1]);
    if (!endpoint) {
      throw UsageError("invalid server \"" + words[0] + " " + words[1] +
                       "\": want HOST PORT with a port from 1 to 65535 or a service name");
    }
    return *endpoint;
  }
  throw UsageError("too many arguments: want HOST:PORT or HOST PORT");
}

}  // namespace

DialOptions parse_dial_options(const Program& program, const std::vector<std::string>& args) {
  auto options = command_line(program, "[HOST:PORT | HOST PORT]");
  options.add_options()("host", "server host, a name or an address (default: localhost)",
                        cxxopts::value<std::string>(), "H")(
      "port", "server port, a number or a service name (default: 8000)",
      cxxopts::value<std::string>(), "N")("server", "", cxxopts::value<std::vector<std::string>>());
  add_tls_flags(options);
  options.parse_positional({"server"});
  const auto result = parse(options, program, args);

  DialOptions dial;
  dial.log_level = log_level(result);
  dial.tls = tls_options(result);
  if (result.count("server") > 0) {
    if (result.count("host") > 0 || result.count("port") > 0) {
      throw UsageError("give the server as HOST:PORT, HOST PORT or -host/-port, not both");
    }
    dial.server = server_of(result["server"].as<std::vector<std::string>>());
    return dial;
  }
  std::string host = dial.server.host;
  std::string port = std::to_string(dial.server.port);
  if (result.count("host") > 0) {
    host = result["host"].as<std::string>();
    const auto parsed = parse_host(host);
    if (!parsed || parsed->empty()) bad_value("host", host, "want a host name or address");
  }
  if (result.count("port") > 0) port = result["port"].as<std::string>();
  const auto endpoint = dial_endpoint(host, port);
  if (!endpoint) bad_value("port", port, "want a port number from 1 to 65535 or a service name");
  dial.server = *endpoint;
  return dial;
}

}  // namespace gonet
