#include "common/cli/serve_flags.hpp"

#include <string>

#include "common/cli/command_line.hpp"
#include "common/cli/values.hpp"

namespace gonet {

void add_serve_flags(cxxopts::Options& options, const Program& program) {
  options.add_options("server")("port", "TCP port; 0 picks a free one",
                                cxxopts::value<std::string>()->default_value("8000"), "N")(
      "host", "address to bind (0.0.0.0 or :: for all interfaces)",
      cxxopts::value<std::string>()->default_value("localhost"),
      "H")("max-conns", "connections served at once; 0 means no cap but the descriptor limit",
           cxxopts::value<std::string>()->default_value("0"),
           "N")("max-conns-per-host", "connections served at once from one address; 0 means no cap",
                cxxopts::value<std::string>()->default_value("0"), "N")(
      "max-accept-rate",
      "new connections taken a second at most, in bursts of as many; the rest wait "
      "in the listen queue; 0 means no cap",
      cxxopts::value<std::string>()->default_value(std::to_string(program.max_accept_rate)),
      "N")("write-timeout", "drop a client whose write has been stuck this long",
           cxxopts::value<std::string>()->default_value("30s"), "D")(
      "proxy-protocol",
      "every connection begins with a PROXY protocol header (v1 or v2) naming the client: only "
      "behind a proxy you control");
  if (program.concurrent) {
    options.add_options("server")("threads",
                                  "event loops, each accepting on the one listening socket",
                                  cxxopts::value<std::string>()->default_value("1"), "N");
  }
}

ServeOptions serve_flags(const cxxopts::ParseResult& result, const Program& program) {
  ServeOptions serve;
  const auto& host = result["host"].as<std::string>();
  const auto bare = parse_host(host);  // "[::1]" as well as "::1"
  if (!bare) bad_value("host", host, "want a host name or address, such as localhost or ::1");
  serve.listen.host = *bare;
  const auto& port = result["port"].as<std::string>();
  const auto number = parse_port(port);
  if (!number) bad_value("port", port, "want a port number from 0 to 65535");
  serve.listen.port = *number;
  serve.max_conns = parse_count<std::size_t>("max-conns", result["max-conns"].as<std::string>(), 0,
                                             1'000'000'000);
  serve.max_conns_per_host = parse_count<std::size_t>(
      "max-conns-per-host", result["max-conns-per-host"].as<std::string>(), 0, 1'000'000'000);
  serve.max_accept_rate = parse_count<std::size_t>(
      "max-accept-rate", result["max-accept-rate"].as<std::string>(), 0, 1'000'000'000);
  serve.write_timeout =
      parse_duration_flag("write-timeout", result["write-timeout"].as<std::string>());
  if (serve.write_timeout.count() == 0) {
    bad_value("write-timeout", result["write-timeout"].as<std::string>(), "must be positive");
  }
  if (program.concurrent) {
    serve.threads = parse_count<unsigned>("threads", result["threads"].as<std::string>(), 1, 256);
  }
  serve.proxy_protocol = result["proxy-protocol"].as<bool>();
  serve.log_level = log_level(result);
  return serve;
}

}  // namespace gonet
