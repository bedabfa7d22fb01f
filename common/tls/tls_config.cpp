#include "common/tls/tls_config.hpp"

#include <cerrno>
#include <fstream>
#include <system_error>

#include <asio/ip/address.hpp>
#include <asio/ssl/error.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include "common/net/awaitable.hpp"
#include "common/net/failure.hpp"

namespace gonet {
namespace {

using asio::ip::tcp;

// OpenSSL's reason ("certificate verify failed"); a server that hangs up mid-handshake (one that
// does not speak TLS, or refuses us) in plain words.
std::string reason(const std::error_code& ec) {
  if (ec == asio::ssl::error::stream_truncated || ec == asio::error::eof) {
    return "connection closed by the server";
  }
  return describe(ec);
}

// A file OpenSSL is to read, checked first so that a missing one says so in the system's words
// rather than in OpenSSL's ("system lib").
void must_be_readable(const char* flag, const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    throw Failure(std::string("load ") + flag + " " + path,
                  std::error_code(errno, std::system_category()));
  }
}

void load(const char* flag, const std::string& path,
          void (*loader)(asio::ssl::context&, const std::string&), asio::ssl::context& context) {
  must_be_readable(flag, path);
  try {
    loader(context, path);
  } catch (const std::system_error& e) {
    throw Failure(std::string("load ") + flag + " " + path + ": " + reason(e.code()));
  }
}

}  // namespace

TlsConfig::TlsConfig(const TlsOptions& options)
    : options_(options), context_(asio::ssl::context::tls_client) {
  SSL_CTX* ctx = context_.native_handle();
  ::SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (options_.insecure) {
    context_.set_verify_mode(asio::ssl::verify_none);
    spdlog::warn("-tls-insecure: the server's certificate and name are not verified");
  } else {
    context_.set_verify_mode(asio::ssl::verify_peer);
    if (options_.ca_file.empty()) {
      context_.set_default_verify_paths();
    } else {
      load((options_.flags + "-ca").c_str(), options_.ca_file,
           [](asio::ssl::context& c, const std::string& path) { c.load_verify_file(path); },
           context_);
    }
  }
  if (!options_.cert_file.empty()) {
    load((options_.flags + "-cert").c_str(), options_.cert_file,
         [](asio::ssl::context& c, const std::string& path) { c.use_certificate_chain_file(path); },
         context_);
    if (options_.key_file.empty()) {
      try {
        context_.use_private_key_file(options_.cert_file, asio::ssl::context::pem);
      } catch (const std::system_error&) {
        throw Failure("load " + options_.flags + "-cert " + options_.cert_file +
                      ": no key in it (give " + options_.flags + "-key)");
      }
    } else {
      load((options_.flags + "-key").c_str(), options_.key_file,
           [](asio::ssl::context& c, const std::string& path) {
             c.use_private_key_file(path, asio::ssl::context::pem);
           },
           context_);
    }
  }
}

asio::awaitable<TlsStream> TlsConfig::handshake(tcp::socket socket, const Endpoint& server) {
  TlsStream tls(std::move(socket), context_);
  SSL* ssl = tls.native_handle();
  const std::string& name = options_.name.empty() ? server.host : options_.name;
  std::error_code not_an_address;
  asio::ip::make_address(name, not_an_address);
  // RFC 6066: SNI carries host names only; an address is verified against the certificate's IP
  // entries instead.
  if (not_an_address) {
    ::SSL_set_tlsext_host_name(ssl, name.c_str());
    if (!options_.insecure) ::SSL_set1_host(ssl, name.c_str());
  } else if (!options_.insecure) {
    ::X509_VERIFY_PARAM_set1_ip_asc(::SSL_get0_param(ssl), name.c_str());
  }
  // Names are checked against the certificate's subject alternative names only, never its
  // common name, as Go (since 1.15) and browsers check them.
  ::X509_VERIFY_PARAM_set_hostflags(::SSL_get0_param(ssl), X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
  auto [ec] = co_await tls.async_handshake(TlsStream::client, use_nothrow);
  if (ec) {
    std::string why = reason(ec);
    if (const long verified = ::SSL_get_verify_result(ssl); verified != X509_V_OK) {
      why += std::string(" (") + ::X509_verify_cert_error_string(verified) + ")";
    }
    throw Failure("tls handshake with " + to_string(server) + ": " + why);
  }
  co_return tls;
}

asio::awaitable<void> close_write(TlsStream& tls) {
  // Asio's shutdown sends close_notify and then reads until the server's own, throwing away what
  // it reads (and a read may be in flight already): a half-close must go on reading replies.
  // With the server's close_notify marked as come, SSL_shutdown sends ours and is done at once;
  // the mark goes before the reader runs again. The alert is a few dozen bytes, so once the
  // socket is writable the synchronous shutdown does not wait.
  auto [wait_error] = co_await tls.next_layer().async_wait(tcp::socket::wait_write, use_nothrow);
  if (wait_error) co_return;
  SSL* ssl = tls.native_handle();
  const int before = ::SSL_get_shutdown(ssl);
  ::SSL_set_shutdown(ssl, before | SSL_RECEIVED_SHUTDOWN);
  std::error_code ec;
  tls.shutdown(ec);
  ::SSL_set_shutdown(
      ssl, (::SSL_get_shutdown(ssl) & ~SSL_RECEIVED_SHUTDOWN) | (before & SSL_RECEIVED_SHUTDOWN));
  if (ec) spdlog::debug("close_notify: {}", describe(ec));
  tls.next_layer().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace gonet
