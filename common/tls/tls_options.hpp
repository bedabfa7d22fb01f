#pragma once

#include <string>

namespace gonet {

// What a client is told about TLS (SPEC "TLS in the clients"). Empty strings: not given.
struct TlsOptions {
  bool enabled = false;
  std::string ca_file;  // trust these CAs instead of the system's
  std::string name;     // sent (SNI) and verified instead of the host dialled
  std::string cert_file;
  std::string key_file;  // empty with a cert_file: the key is in that file too
  bool insecure = false;
  std::string flags = "-tls";  // the flags' prefix, as messages name them ("-redis-tls-ca")
  bool operator==(const TlsOptions&) const = default;
};

}  // namespace gonet
