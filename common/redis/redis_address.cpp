#include "common/redis/redis_address.hpp"

#include "common/text/address.hpp"

namespace gonet {
namespace {

constexpr std::string_view kForms =
    "want HOST:PORT, /PATH, or a redis://, rediss:// or unix:// URL";
constexpr const char* kNotAbsolute =
    "a Unix socket's path must be absolute (/PATH or unix:///PATH)";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986's percent-decoding of a URL's user or password; nullopt for a '%' not followed by two
// hex digits.
std::optional<std::string> percent_decoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex_digit(text[i + 1]), low = hex_digit(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

// HOST[:PORT] of a URL, an IPv6 address in brackets ("[::1]:6380"), or bare when it has no port
// ("::1"); the port is a number from 1 to 65535, 6379 when left out.
bool parse_authority(std::string_view text, RedisAddress& address, std::string& why) {
  std::string_view host = text;
  std::optional<std::string_view> port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      why = "unbalanced brackets";
      return false;
    }
    host = text.substr(0, close + 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') {
        why = kForms;
        return false;
      }
      port = text.substr(close + 2);
    }
  } else if (const auto colon = text.find(':');
             colon != std::string_view::npos &&
             text.find(':', colon + 1) == std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  const auto parsed_host = parse_host(host);
  if (!parsed_host || parsed_host->empty()) {
    why = "no host";
    return false;
  }
  address.host = *parsed_host;
  if (port) {
    const auto number = parse_port(*port, 1);
    if (!number) {
      why = "want a port number from 1 to 65535";
      return false;
    }
    address.port = *number;
  }
  return true;
}

std::optional<RedisAddress> unix_socket_at(std::string_view path, std::string user,
                                           std::string& why) {
  if (!path.starts_with('/')) {
    why = kNotAbsolute;
    return std::nullopt;
  }
  RedisAddress address;
  address.transport = RedisAddress::Transport::unix_socket;
  address.path = std::string(path);
  address.user = std::move(user);
  return address;
}

// unix://[USER@]/PATH, as redis-py writes it; `rest` is what follows "unix://".
std::optional<RedisAddress> parse_unix_url(std::string_view rest, std::string& why) {
  std::string user;
  if (const auto at = rest.find("@/");
      at != std::string_view::npos && rest.substr(0, at).find('/') == std::string_view::npos) {
    const auto decoded = percent_decoded(rest.substr(0, at));
    if (!decoded || decoded->empty() || decoded->find(':') != std::string::npos) {
      why = "want unix://USER@/PATH (a password in the URL only for redis:// and rediss://)";
      return std::nullopt;
    }
    user = *decoded;
    rest.remove_prefix(at + 1);
  }
  return unix_socket_at(rest, std::move(user), why);
}

// redis://[USER[:PASSWORD]@]HOST[:PORT][/] or rediss://...; `rest` is what follows "://".
std::optional<RedisAddress> parse_url(RedisAddress::Transport transport, std::string_view rest,
                                      std::string& why) {
  RedisAddress address;
  address.transport = transport;
  // A trailing "/" is allowed; a database number or any other path is not (pub/sub has none).
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    why = "a redis URL takes no path, query or fragment";
    return std::nullopt;
  }
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = userinfo.find(':');
    const auto user = percent_decoded(userinfo.substr(0, colon));
    const auto password = colon == std::string_view::npos
                              ? std::optional<std::string>("")
                              : percent_decoded(userinfo.substr(colon + 1));
    if (!user || !password) {
      why = "a '%' not followed by two hex digits";
      return std::nullopt;
    }
    address.user = *user;
    address.password = *password;
  }
  if (!parse_authority(rest, address, why)) return std::nullopt;
  return address;
}

}  // namespace

std::string to_string(const RedisAddress& address) {
  switch (address.transport) {
    case RedisAddress::Transport::unix_socket:
      return address.user.empty() ? address.path : "unix://" + address.user + "@" + address.path;
    case RedisAddress::Transport::tcp:
    case RedisAddress::Transport::tls:
      break;
  }
  const std::string endpoint = gonet::to_string(Endpoint{address.host, address.port});
  if (address.transport == RedisAddress::Transport::tcp && address.user.empty()) return endpoint;
  const std::string scheme =
      address.transport == RedisAddress::Transport::tls ? "rediss://" : "redis://";
  return scheme + (address.user.empty() ? "" : address.user + "@") + endpoint;
}

std::optional<RedisAddress> parse_redis_address(std::string_view text, std::string& why) {
  if (text.starts_with('/')) return unix_socket_at(text, {}, why);
  if (text.starts_with("unix://")) return parse_unix_url(text.substr(7), why);
  if (text.starts_with("redis://"))
    return parse_url(RedisAddress::Transport::tcp, text.substr(8), why);
  if (text.starts_with("rediss://")) {
    return parse_url(RedisAddress::Transport::tls, text.substr(9), why);
  }
  if (text.find("://") != std::string_view::npos) {
    why = kForms;
    return std::nullopt;
  }
  if (text.find(':') == std::string_view::npos &&
      (text.find('/') != std::string_view::npos || text.ends_with(".sock"))) {
    why = kNotAbsolute;
    return std::nullopt;
  }
  // HOST:PORT, as before URLs: the port is required.
  const auto endpoint = parse_host_port(text);
  if (!endpoint || endpoint->port == 0 || endpoint->host.empty()) {
    why = text.find(':') == std::string_view::npos ? std::string(kForms)
                                                   : "want a port number from 1 to 65535";
    return std::nullopt;
  }
  RedisAddress address;
  address.host = endpoint->host;
  address.port = endpoint->port;
  return address;
}

}  // namespace gonet
