// Names taken room-wide on Redis (servers/chat/bus/name_claims): the commands a node sends. That
// Redis runs them as meant is ChatCluster.NamesAreTakenRoomWideAndPresentListsTheRoom's and
// ChatCluster.ADeadNodesNamesAreFreeAgain's, on a real redis-server.
#include "servers/chat/bus/name_claims.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gonet {
namespace {

using Argv = std::vector<std::string>;

// EVAL SCRIPT NUMKEYS KEY... NODE TTL FORMER, without the script.
Argv without_script(Argv argv) {
  EXPECT_GE(argv.size(), 3u);
  EXPECT_EQ(argv[0], "EVAL");
  argv.erase(argv.begin(), argv.begin() + 2);
  return argv;
}

TEST(NameClaims, AClaimNamesBothKeysOfTheNameUnderTheRoomAndTheNodeWithItsTimeToLive) {
  const NameClaims claims("lobby");
  EXPECT_EQ(without_script(claims.claim(NameKeys{"a1ice", "alice"}, "node1")),
            (Argv{"2", "gonet:chat:lobby:name:a1ice", "gonet:chat:lobby:name:alice", "node1",
                  std::to_string(NameClaims::kTtlSeconds), ""}));
}

TEST(NameClaims, AnEmptyKeyIsNoRedisKey) {
  const NameClaims claims("chat");
  EXPECT_EQ(claims.keys({NameKeys{"127.0.0.1:1", {}}, NameKeys{}}),
            (Argv{"gonet:chat:chat:name:127.0.0.1:1"}));
}

TEST(NameClaims, ARefreshCarriesTheFormerIdWhoseNamesBecomeOurs) {
  const NameClaims claims("chat");
  const Argv argv = without_script(claims.refresh({NameKeys{"bob", "bob"}}, "new", "old"));
  EXPECT_EQ(argv.back(), "old");
  EXPECT_EQ(argv[argv.size() - 3], "new");
}

TEST(NameClaims, EachCommandIsItsOwnScript) {
  const NameClaims claims("chat");
  const NameKeys bob{"bob", "bob"};
  const auto claim = claims.claim(bob, "n")[1];
  const auto refresh = claims.refresh({bob}, "n", "")[1];
  const auto release = claims.release({bob}, "n")[1];
  EXPECT_NE(claim, refresh);
  EXPECT_NE(claim, release);
  EXPECT_NE(refresh, release);
  EXPECT_NE(release.find("del"), std::string::npos) << "a release deletes";
}

TEST(NameClaims, ReleasingOrRefreshingNoNameIsNoCommand) {
  const NameClaims claims("chat");
  EXPECT_TRUE(claims.release({}, "n").empty());
  EXPECT_TRUE(claims.refresh({}, "n", "").empty());
  EXPECT_TRUE(claims.release({NameKeys{}}, "n").empty()) << "a name of no keys (an address)";
  EXPECT_FALSE(claims.release({NameKeys{"a1ice", "alice"}}, "n").empty());
}

}  // namespace
}  // namespace gonet
