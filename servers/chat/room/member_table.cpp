#include "servers/chat/room/member_table.hpp"

#include <algorithm>
#include <unordered_set>

namespace gonet {
namespace {

void count_in(std::unordered_map<std::string, std::size_t>& keys, const std::string& key) {
  if (!key.empty()) ++keys[key];
}

void count_out(std::unordered_map<std::string, std::size_t>& keys, const std::string& key) {
  if (const auto at = keys.find(key); at != keys.end() && --at->second == 0) keys.erase(at);
}

// Once a second per node, with every client of the room: a set, not a search per member.
std::unordered_set<std::uint64_t> ids_in(const BusEvent::Roll& roll) {
  std::unordered_set<std::uint64_t> ids;
  for (const BusMember& member : roll.members) ids.insert(member.id);
  return ids;
}

bool in_range(const BusEvent::Roll& roll, std::uint64_t id) {
  return id >= roll.first && id <= roll.last;
}

}  // namespace

bool MemberTable::taken(const NameKeys& keys) const {
  return folded_.contains(keys.folded) ||
         (!keys.skeleton.empty() && skeletons_.contains(keys.skeleton));
}

MemberTable::iterator MemberTable::add(Member member) {
  if (reserves_name(member)) {
    count_in(folded_, member.keys.folded);
    count_in(skeletons_, member.keys.skeleton);
  }
  if (member.node != nullptr) ++nodes_.find(*member.node)->second;
  const Key key{member.node, member.id};
  const auto at = members_.insert(members_.end(), std::move(member));
  index_.emplace(key, at);
  return at;
}

MemberTable::iterator MemberTable::remove(iterator at) {
  const Member& gone = *at;
  if (reserves_name(gone)) {
    count_out(folded_, gone.keys.folded);
    count_out(skeletons_, gone.keys.skeleton);
  }
  index_.erase(Key{gone.node, gone.id});
  if (gone.node != nullptr) --nodes_.find(*gone.node)->second;
  return members_.erase(at);
}

MemberTable::iterator MemberTable::find(const std::string* node, std::uint64_t id) {
  const auto at = index_.find(Key{node, id});
  return at == index_.end() ? members_.end() : at->second;
}

const std::string* MemberTable::node(const std::string& id) const {
  const auto at = nodes_.find(id);
  return at == nodes_.end() ? nullptr : &at->first;
}

const std::string* MemberTable::intern(const std::string& id) {
  return &nodes_.try_emplace(id, 0).first->first;
}

bool MemberTable::full(const std::string* node) const {
  return nodes_.find(*node)->second >= kMaxMembersPerNode;
}

void MemberTable::forget_if_empty(const std::string* node) {
  if (node == nullptr) return;
  if (const auto at = nodes_.find(*node); at != nodes_.end() && at->second == 0) nodes_.erase(at);
}

MemberTable::Present MemberTable::present(const Member* newcomer, std::size_t most) const {
  Present present;
  for (const Member& member : members_) {
    if (member.arriving || &member == newcomer) continue;
    ++present.count;
    if (present.names.size() < most) present.names.push_back(member.name);
  }
  return present;
}

MemberTable::Ours MemberTable::ours(bool with_keys) const {
  Ours ours;
  for (const Member& member : members_) {
    if (member.node != nullptr || member.client == nullptr) continue;
    ours.members.push_back(BusMember{member.id, member.name});
    if (with_keys) ours.keys.push_back(member.keys);
  }
  return ours;
}

std::vector<NameKeys> MemberTable::keys_of(const std::string* node) const {
  std::vector<NameKeys> keys;
  for (const Member& member : members_) {
    if (member.node == node) keys.push_back(member.keys);
  }
  return keys;
}

MemberTable::Plan MemberTable::reconcile(const std::string* node, const BusEvent::Roll& roll) {
  const auto listed = ids_in(roll);
  Plan plan;
  for (auto at = members_.begin(); at != members_.end(); ++at) {
    if (at->node == node && in_range(roll, at->id) && !listed.contains(at->id)) {
      plan.gone.push_back(at);
    }
  }
  for (const BusMember& member : roll.members) {
    if (find(node, member.id) == members_.end()) plan.newcomers.push_back(member);
  }
  return plan;
}

MemberTable::Plan MemberTable::reconcile_ours(const BusEvent::Roll& roll) {
  // Almost always every one of ours is settled (in, or gone and heard leaving): the list is not
  // read.
  const auto unsettled = [&](const Member& m) {
    return m.node == nullptr && in_range(roll, m.id) && (m.arriving || m.client == nullptr);
  };
  Plan plan;
  if (std::none_of(members_.begin(), members_.end(), unsettled)) return plan;
  const auto listed = ids_in(roll);
  for (auto at = members_.begin(); at != members_.end(); ++at) {
    if (!unsettled(*at)) continue;
    if (at->client == nullptr && !listed.contains(at->id)) plan.gone.push_back(at);
    if (at->arriving && listed.contains(at->id)) plan.in.push_back(at);
  }
  return plan;
}

}  // namespace gonet
