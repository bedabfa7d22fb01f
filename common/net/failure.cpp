#include "common/net/failure.hpp"

#include <cctype>

#include <asio/error.hpp>

namespace gonet {
namespace {

// Asio words a failed lookup as "Host not found (authoritative)"; a user reads the plain words
// nc and getaddrinfo use.
std::string_view lookup_words(const std::error_code& ec) {
  if (ec == asio::error::host_not_found) return "host not found";
  if (ec == asio::error::host_not_found_try_again) return "temporary failure in name resolution";
  if (ec == asio::error::no_data) return "no address associated with hostname";
  if (ec == asio::error::no_recovery) return "non-recoverable failure in name resolution";
  return {};
}

}  // namespace

std::string describe(const std::error_code& ec) {
  if (const auto words = lookup_words(ec); !words.empty()) return std::string(words);
  std::string text = ec.message();
  // Asio words an OpenSSL error "REASON (LIBRARY)": "tlsv13 alert certificate required (SSL
  // routines)". The reason is what a user can act on.
  if (std::string_view(ec.category().name()) == "asio.ssl" && text.ends_with(')')) {
    if (const auto library = text.rfind(" ("); library != std::string::npos) text.resize(library);
  }
  // strerror capitalises ("Connection refused"); Go and nc do not, and the text follows a colon.
  if (text.size() > 1 && std::isupper(static_cast<unsigned char>(text[0])) &&
      std::islower(static_cast<unsigned char>(text[1]))) {
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  }
  return text;
}

std::string describe(const std::exception_ptr& failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

Failure::Failure(std::string_view what, const std::error_code& why)
    : std::runtime_error(std::string(what) + ": " + describe(why)) {}

}  // namespace gonet
