// Who is in a chat room (servers/chat/room/member_table): names held, "Present:", and what a
// node's heartbeat changes, without a lock, a loop or a socket of the room's.
#include "servers/chat/room/member_table.hpp"

#include <limits>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include "servers/chat/client/client.hpp"

namespace gonet {
namespace {

using Row = MemberTable::Member;
constexpr std::uint64_t kAll = std::numeric_limits<std::uint64_t>::max();

// A client of ours, as the table holds it: only whether there is one matters to it.
struct OurClient {
  asio::io_context io;
  asio::ip::tcp::socket socket{io};
  Client client{socket, "127.0.0.1:1", 16, 1024};
};

Row ours(Client& client, std::uint64_t id, const std::string& name) {
  return Row{.client = &client, .name = name, .keys = NameKeys{name, {}}, .id = id};
}

Row theirs(const std::string* node, std::uint64_t id, const std::string& name, NameKeys keys = {}) {
  return Row{.name = name, .keys = std::move(keys), .node = node, .id = id};
}

std::vector<std::uint64_t> ids(const std::vector<MemberTable::iterator>& members) {
  std::vector<std::uint64_t> result;
  for (const auto& at : members) result.push_back(at->id);
  return result;
}

std::vector<std::uint64_t> ids(const std::vector<BusMember>& members) {
  std::vector<std::uint64_t> result;
  for (const auto& member : members) result.push_back(member.id);
  return result;
}

TEST(MemberTable, ANameIsTakenWhileItsMemberIsThereAndFreeOnceItIsGone) {
  OurClient alice;
  MemberTable table(false);
  const auto at = table.add(ours(alice.client, 1, "127.0.0.1:1"));
  EXPECT_TRUE(table.taken(NameKeys{"127.0.0.1:1", {}}));
  EXPECT_FALSE(table.taken(NameKeys{"127.0.0.1:2", {}}));
  table.remove(at);
  EXPECT_FALSE(table.taken(NameKeys{"127.0.0.1:1", {}}));
}

TEST(MemberTable, ANameTwoMembersHoldIsFreeOnlyWhenBothAreGone) {
  MemberTable table(true);
  const std::string* node = table.intern("n1");
  const auto first = table.add(theirs(node, 1, "alice", NameKeys{"alice", "alice"}));
  const auto second = table.add(theirs(node, 2, "ALICE", NameKeys{"alice", "ALICE"}));
  table.remove(first);
  EXPECT_TRUE(table.taken(NameKeys{"alice", {}}));
  table.remove(second);
  EXPECT_FALSE(table.taken(NameKeys{"alice", {}}));
}

// Two machines behind one NAT may have clients of the same address on two nodes.
TEST(MemberTable, AnotherNodesAddressReservesNothingHereWithoutNames) {
  MemberTable table(false);
  const std::string* node = table.intern("n1");
  table.add(theirs(node, 1, "10.0.0.1:5000", NameKeys{"10.0.0.1:5000", {}}));
  EXPECT_FALSE(table.taken(NameKeys{"10.0.0.1:5000", {}}));
}

TEST(MemberTable, WithNamesAnotherNodesNameIsTakenHereToo) {
  MemberTable table(true);
  const std::string* node = table.intern("n1");
  table.add(theirs(node, 1, "bob", NameKeys{"bob", "bob"}));
  EXPECT_TRUE(table.taken(NameKeys{"bob", {}}));
}

TEST(MemberTable, PresentNamesTheOthersInArrivalOrderButNotTheArrivingNorTheNewcomer) {
  OurClient a, b, c, d;
  MemberTable table(true);
  table.add(ours(a.client, 1, "ann"));
  auto arriving = ours(b.client, 2, "ben");
  arriving.arriving = true;
  table.add(std::move(arriving));
  table.add(ours(c.client, 3, "cat"));
  const auto newcomer = table.add(ours(d.client, 4, "dan"));
  const auto all = table.present(&*newcomer, 100);
  EXPECT_EQ(all.names, (std::vector<std::string_view>{"ann", "cat"}));
  EXPECT_EQ(all.count, 2u);
  const auto first = table.present(&*newcomer, 1);
  EXPECT_EQ(first.names, (std::vector<std::string_view>{"ann"}));
  EXPECT_EQ(first.count, 2u) << "the count is of all of them, not of those named";
}

TEST(MemberTable, AHeartbeatMakesGoneWhoIsMissingAndNewWhoIsListedAndNotHere) {
  MemberTable table(false);
  const std::string* node = table.intern("n1");
  for (std::uint64_t id : {1, 2, 3}) table.add(theirs(node, id, "m" + std::to_string(id)));
  const auto plan =
      table.reconcile(node, BusEvent::Roll{0, kAll, {{1, "m1"}, {3, "m3"}, {4, "m4"}}});
  EXPECT_EQ(ids(plan.gone), (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(ids(plan.newcomers), (std::vector<std::uint64_t>{4}));
  EXPECT_TRUE(plan.in.empty());
}

// A node with many clients sends its list in parts, each for a range of ids.
TEST(MemberTable, AHeartbeatsPartSaysNothingOfIdsOutsideItsRange) {
  MemberTable table(false);
  const std::string* node = table.intern("n1");
  const std::string* other = table.intern("n2");
  for (std::uint64_t id : {1, 2, 3}) table.add(theirs(node, id, "m" + std::to_string(id)));
  table.add(theirs(other, 2, "o2"));
  const auto plan = table.reconcile(node, BusEvent::Roll{1, 2, {{1, "m1"}}});
  EXPECT_EQ(ids(plan.gone), (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(plan.gone.front()->node, node) << "another node's id 2 is not this node's";
  EXPECT_TRUE(plan.newcomers.empty());
}

TEST(MemberTable, OurHeartbeatLetsInWhomTheBusLostAndEndsWhoLeftUnheard) {
  OurClient a, b, c;
  MemberTable table(false);
  auto lost_arrival = ours(a.client, 1, "127.0.0.1:1");
  lost_arrival.arriving = true;
  table.add(std::move(lost_arrival));
  auto lost_leaving = ours(b.client, 2, "127.0.0.1:2");
  lost_leaving.client = nullptr;  // left; its leaving never came back
  table.add(std::move(lost_leaving));
  table.add(ours(c.client, 3, "127.0.0.1:3"));
  const auto plan =
      table.reconcile_ours(BusEvent::Roll{0, kAll, {{1, "127.0.0.1:1"}, {3, "127.0.0.1:3"}}});
  EXPECT_EQ(ids(plan.in), (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(ids(plan.gone), (std::vector<std::uint64_t>{2}));
  EXPECT_TRUE(plan.newcomers.empty());
}

TEST(MemberTable, OurHeartbeatChangesNothingWhenEveryOneOfOursIsSettled) {
  OurClient a;
  MemberTable table(false);
  table.add(ours(a.client, 1, "127.0.0.1:1"));
  const auto plan = table.reconcile_ours(BusEvent::Roll{0, kAll, {}});
  EXPECT_TRUE(plan.gone.empty()) << "one that is in leaves by its own frame, not a heartbeat";
  EXPECT_TRUE(plan.in.empty());
}

TEST(MemberTable, ANodeIsForgottenWithItsLastMember) {
  MemberTable table(false);
  const std::string* node = table.intern("n1");
  const auto at = table.add(theirs(node, 1, "m1"));
  table.forget_if_empty(node);
  EXPECT_EQ(table.node("n1"), node) << "it still has a member";
  table.remove(at);
  table.forget_if_empty(node);
  EXPECT_EQ(table.node("n1"), nullptr);
}

TEST(MemberTable, OursAreListedForAHeartbeatInArrivalOrderWithoutThoseWhoLeft) {
  OurClient a, b;
  MemberTable table(true);
  const std::string* node = table.intern("n1");
  table.add(ours(a.client, 1, "ann"));
  table.add(theirs(node, 7, "zed"));
  auto gone = ours(b.client, 2, "ben");
  gone.client = nullptr;
  table.add(std::move(gone));
  const auto listed = table.ours(true);
  EXPECT_EQ(listed.members, (std::vector<BusMember>{{1, "ann"}}));
  EXPECT_EQ(listed.keys, (std::vector<NameKeys>{NameKeys{"ann", {}}}));
  EXPECT_TRUE(table.ours(false).keys.empty()) << "no keys unless asked for";
}

}  // namespace
}  // namespace gonet
