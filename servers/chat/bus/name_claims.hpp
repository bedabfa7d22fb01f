#pragma once

#include <string>
#include <vector>

#include "servers/chat/room/names.hpp"

namespace gonet {

// Names taken room-wide, on Redis (-names with -redis): each of a name's keys (NameKeys) is a
// Redis key holding the id of the node whose client has the name, for kTtlSeconds unless that
// node refreshes it. Every command is one Lua script, so a claim of several keys is all or none.
// This builds the commands; the bus sends them.
class NameClaims {
 public:
  // Claimed names live this long unless their node refreshes them, every kRefreshEveryBeats of its
  // heartbeats: a node that dies without a word frees its names within this long.
  static constexpr int kTtlSeconds = 15;
  static constexpr unsigned kRefreshEveryBeats = 5;

  explicit NameClaims(const std::string& room) : prefix_("gonet:chat:" + room + ":name:") {}

  // Takes every key of `name` for `node` unless another node holds one: Redis answers 1 (ours)
  // or 0 (another's).
  std::vector<std::string> claim(const NameKeys& name, const std::string& node) const;
  // Keeps every key of `names` `node`'s, taking one that is free or held by `former` (the node's
  // id before a fresh one), empty for none. No command (empty) when `names` have no keys.
  std::vector<std::string> refresh(const std::vector<NameKeys>& names, const std::string& node,
                                   const std::string& former) const;
  // Frees every key of `names` that `node` holds. No command (empty) when they have no keys.
  std::vector<std::string> release(const std::vector<NameKeys>& names,
                                   const std::string& node) const;
  // The Redis keys of `names`.
  std::vector<std::string> keys(const std::vector<NameKeys>& names) const;

 private:
  std::vector<std::string> eval(const char* script, const std::vector<std::string>& redis_keys,
                                const std::string& node, const std::string& former) const;

  std::string prefix_;
};

}  // namespace gonet
