#include "common/cli/tls_flags.hpp"

#include <string>

#include "common/cli/program.hpp"
#include "common/cli/values.hpp"

namespace gonet {

void add_tls_flags(cxxopts::Options& options) {
  options.add_options("TLS")("tls",
                             "speak TLS (1.2 or 1.3); the server's certificate is verified against "
                             "the system's CAs and the host dialled")(
      "tls-ca", "trust the CA certificates in FILE (PEM) instead of the system's",
      cxxopts::value<std::string>(),
      "FILE")("tls-name", "the server name sent (SNI) and verified, instead of the host dialled",
              cxxopts::value<std::string>(), "NAME")(
      "tls-cert", "present this client certificate (PEM; its key too, without -tls-key)",
      cxxopts::value<std::string>(),
      "FILE")("tls-key", "the client certificate's key (PEM)", cxxopts::value<std::string>(),
              "FILE")("tls-insecure", "verify nothing about the server (says so on stderr)");
}

TlsOptions tls_options(const cxxopts::ParseResult& result) {
  TlsOptions tls;
  const auto text = [&](const char* flag, std::string& to, const char* want) {
    if (result.count(flag) == 0) return;
    to = result[flag].as<std::string>();
    if (to.empty()) bad_value(flag, to, want);
    tls.enabled = true;
  };
  text("tls-ca", tls.ca_file, "want a file of CA certificates");
  text("tls-name", tls.name, "want a server name");
  text("tls-cert", tls.cert_file, "want a certificate file");
  text("tls-key", tls.key_file, "want a key file");
  tls.insecure = result["tls-insecure"].as<bool>();
  tls.enabled = tls.enabled || tls.insecure || result["tls"].as<bool>();
  if (!tls.key_file.empty() && tls.cert_file.empty()) {
    throw UsageError("-tls-key needs -tls-cert, the certificate it is the key of");
  }
  if (tls.insecure && !tls.ca_file.empty()) {
    throw UsageError("-tls-insecure verifies nothing: it takes no -tls-ca");
  }
  return tls;
}

}  // namespace gonet
