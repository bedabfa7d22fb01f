#include "servers/chat/bus/room_keys.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <system_error>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include "common/net/failure.hpp"

namespace gonet {
namespace {

constexpr std::string_view kHowToMakeOne = "head -c 32 /dev/urandom | base64 > room.key";

struct MacDeleter {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
  void operator()(EVP_MAC_CTX* context) const { EVP_MAC_CTX_free(context); }
};
using MacContext = std::unique_ptr<EVP_MAC_CTX, MacDeleter>;

// HMAC-SHA256 keyed with `key`, ready to take data: made once per key, copied for each MAC, so a
// frame costs the hashing and not the lookup of the algorithm and the key's setup.
MacContext keyed(const std::string& key) {
  static const std::unique_ptr<EVP_MAC, MacDeleter> algorithm(
      EVP_MAC_fetch(nullptr, "HMAC", nullptr));
  if (!algorithm) throw std::runtime_error("OpenSSL has no HMAC");
  MacContext context(EVP_MAC_CTX_new(algorithm.get()));
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_END};
  if (!context || EVP_MAC_init(context.get(), reinterpret_cast<const unsigned char*>(key.data()),
                               key.size(), params) != 1) {
    throw std::runtime_error("HMAC-SHA256: cannot set up a key");
  }
  return context;
}

RoomKeys::Mac hmac(EVP_MAC_CTX* keyed, std::initializer_list<std::string_view> parts) {
  const MacContext context(EVP_MAC_CTX_dup(keyed));
  RoomKeys::Mac mac{};
  std::size_t length = 0;
  bool ok = context != nullptr;
  for (const auto part : parts) {
    ok = ok && EVP_MAC_update(context.get(), reinterpret_cast<const unsigned char*>(part.data()),
                              part.size()) == 1;
  }
  ok = ok && EVP_MAC_final(context.get(), mac.data(), &length, mac.size()) == 1;
  if (!ok || length != mac.size()) throw std::runtime_error("HMAC-SHA256 failed");
  return mac;
}

}  // namespace

struct RoomKeys::Keyed {
  std::vector<MacContext> contexts;
};

RoomKeys::RoomKeys(const std::vector<std::string>& keys) {
  if (keys.empty() || keys.size() > 2) throw std::invalid_argument("want one or two keys");
  auto made = std::make_shared<Keyed>();
  for (const auto& key : keys) {
    if (key.size() < kMinKeyLength) throw std::invalid_argument("a key is too short");
    made->contexts.push_back(keyed(key));
  }
  keyed_ = std::move(made);
}

RoomKeys::Mac RoomKeys::sign(std::initializer_list<std::string_view> parts) const {
  return hmac(keyed_->contexts.front().get(), parts);
}

bool RoomKeys::verify(std::initializer_list<std::string_view> parts, const Mac& mac) const {
  bool valid = false;
  // Both keys are always tried: the time taken does not tell which one signed.
  for (const auto& context : keyed_->contexts) {
    const Mac expected = hmac(context.get(), parts);
    valid = (CRYPTO_memcmp(expected.data(), mac.data(), mac.size()) == 0) || valid;
  }
  return valid;
}

RoomKeys load_room_keys(const std::string& path) {
  const std::string flag = "-room-key-file " + path;
  std::ifstream file(path);
  if (!file) throw Failure("read " + flag, std::error_code(errno, std::system_category()));
  std::vector<std::string> keys;
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    if (line.ends_with('\r')) line.pop_back();
    if (line.empty() && file.peek() == std::ifstream::traits_type::eof()) break;
    if (line.size() < RoomKeys::kMinKeyLength) {
      throw Failure(flag + ": the key on line " + std::to_string(number) + " is " +
                    std::to_string(line.size()) + " bytes; want at least " +
                    std::to_string(RoomKeys::kMinKeyLength) +
                    " (make one with: " + std::string(kHowToMakeOne) + ")");
    }
    keys.push_back(line);
  }
  if (file.bad()) throw Failure("read " + flag, std::error_code(errno, std::system_category()));
  if (keys.empty() || keys.size() > 2) {
    throw Failure(flag + ": want one or two keys, one a line; it has " +
                  std::to_string(keys.size()));
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && (info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    spdlog::warn("{}: others may read it (chmod 600 it)", flag);
  }
  return RoomKeys(std::move(keys));
}

}  // namespace gonet
