#include "servers/chat/bus/name_claims.hpp"

namespace gonet {
namespace {

// KEYS: the name's keys; ARGV: the node, the time to live, the former id (or "").
constexpr const char* kClaim =
    "for i, k in ipairs(KEYS) do local v = redis.call('get', k) "
    "if v and v ~= ARGV[1] then return 0 end end "
    "for i, k in ipairs(KEYS) do redis.call('set', k, ARGV[1], 'EX', ARGV[2]) end return 1";
constexpr const char* kRefresh =
    "for i, k in ipairs(KEYS) do local v = redis.call('get', k) "
    "if not v or v == ARGV[1] or v == ARGV[3] then redis.call('set', k, ARGV[1], 'EX', ARGV[2]) "
    "end end return 1";
// Compare and delete: a key goes only if ARGV[1] holds it.
constexpr const char* kRelease =
    "for i, k in ipairs(KEYS) do if redis.call('get', k) == ARGV[1] then redis.call('del', k) end "
    "end return 1";

}  // namespace

std::vector<std::string> NameClaims::keys(const std::vector<NameKeys>& names) const {
  std::vector<std::string> keys;
  for (const NameKeys& name : names) {
    if (!name.folded.empty()) keys.push_back(prefix_ + name.folded);
    if (!name.skeleton.empty()) keys.push_back(prefix_ + name.skeleton);
  }
  return keys;
}

std::vector<std::string> NameClaims::eval(const char* script,
                                          const std::vector<std::string>& redis_keys,
                                          const std::string& node,
                                          const std::string& former) const {
  std::vector<std::string> argv = {"EVAL", script, std::to_string(redis_keys.size())};
  argv.insert(argv.end(), redis_keys.begin(), redis_keys.end());
  argv.push_back(node);
  argv.push_back(std::to_string(kTtlSeconds));
  argv.push_back(former);
  return argv;
}

std::vector<std::string> NameClaims::claim(const NameKeys& name, const std::string& node) const {
  return eval(kClaim, keys({name}), node, {});
}

std::vector<std::string> NameClaims::refresh(const std::vector<NameKeys>& names,
                                             const std::string& node,
                                             const std::string& former) const {
  const std::vector<std::string> redis_keys = keys(names);
  if (redis_keys.empty()) return {};
  return eval(kRefresh, redis_keys, node, former);
}

std::vector<std::string> NameClaims::release(const std::vector<NameKeys>& names,
                                             const std::string& node) const {
  const std::vector<std::string> redis_keys = keys(names);
  if (redis_keys.empty()) return {};
  return eval(kRelease, redis_keys, node, {});
}

}  // namespace gonet
