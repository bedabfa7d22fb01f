#pragma once

#include "common/cli/cxxopts.hpp"
#include "common/tls/tls_options.hpp"

namespace gonet {

// -tls, -tls-ca, -tls-name, -tls-cert, -tls-key, -tls-insecure, in a help group of their own.
void add_tls_flags(cxxopts::Options& options);

// The TLS flags given: any but -tls itself implies it. Throws UsageError for an empty file or
// name, -tls-key without -tls-cert, and -tls-insecure with -tls-ca (trust it or verify nothing).
TlsOptions tls_options(const cxxopts::ParseResult& result);

}  // namespace gonet
