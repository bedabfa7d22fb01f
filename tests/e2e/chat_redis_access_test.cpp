// Chat nodes on a guarded Redis (SPEC "Redis: who may connect, and over what"): a password, an
// ACL user with the rules the project ships, and TLS with a CA of the test's, a wrong one, a
// certificate without the host's name among its subject alternative names, and client
// certificates. Debian's redis-server, started by each test.
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e/chat_cluster.hpp"

namespace e2e::redis_access {
namespace {

constexpr const char* kPassword = "a password of the test's own";

std::string shipped_acl_rules() {
  std::ifstream file(std::string(GONET_SOURCE_DIR) + "/servers/deploy/redis-acl.txt");
  std::string rules;
  std::getline(file, rules);
  return rules;
}

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

class RedisAccess : public ChatCluster {
 protected:
  // A node that joins nothing: its one warning says why, and its clients chat among themselves.
  void expect_refused_in_one_line(Server& refused, const std::string& why) {
    ASSERT_TRUE(refused.process.wait_for_stderr_line(why, 5s)) << refused.process.stderr_text();
    auto alice = join(refused.port);
    EXPECT_EQ(alice.tcp.read_line(5s), kCutOff);
    auto bob = join(refused.port);
    EXPECT_EQ(bob.tcp.read_line(5s), kCutOff);
    EXPECT_TRUE(heard(alice.tcp, bob.name + " has arrived", 2s));
    bob.tcp.send("just us\n");
    EXPECT_TRUE(heard(alice.tcp, bob.name + ": just us", 2s)) << "local chat goes on";
    // It tried again meanwhile (every second), and said so once.
    std::this_thread::sleep_for(2500ms);
    const std::string log = refused.process.stderr_text();
    EXPECT_EQ(count(log, why), 1u) << log;
    EXPECT_EQ(joined(refused), 0u);
  }

  // Two nodes in one room: a line crosses.
  void expect_one_room(Server& one, Server& two) {
    auto alice = join(one.port);
    auto bob = join(two.port);
    ASSERT_TRUE(heard(alice.tcp, bob.name + " has arrived", 5s));
    bob.tcp.send("across\n");
    EXPECT_TRUE(heard(alice.tcp, bob.name + ": across", 5s));
  }
};

TEST_F(RedisAccess, ANodeLogsInWithAPasswordFromAFileOrTheEnvironment) {
  redis_.reset();
  redis_.emplace(std::vector<std::string>{"--requirepass", kPassword});
  TempFile password(std::string(kPassword) + "\n");
  auto from_file = node({"-redis-password-file", password.path()});
  testsupport::ChildOptions environment;
  environment.env.emplace_back("GONET_REDIS_PASSWORD", kPassword);
  auto from_environment = node({}, true, environment);
  expect_one_room(from_file, from_environment);
  EXPECT_EQ(from_file.process.stderr_text().find(kPassword), std::string::npos);
}

// A refused login is one line naming Redis's reason; the node goes on alone and tries again, and
// joins once Redis takes its password.
TEST_F(RedisAccess, AWrongPasswordIsOneLineAndTheNodeJoinsOnceRedisTakesIt) {
  redis_.reset();
  redis_.emplace(std::vector<std::string>{"--requirepass", kPassword});
  TempFile wrong("not the password\n");
  auto refused = node({"-redis-password-file", wrong.path()}, false);
  expect_refused_in_one_line(
      refused, "login refused: WRONGPASS invalid username-password pair or user is disabled.");
  RedisClient admin(redis_->socket());
  ASSERT_EQ(admin.command({"AUTH", kPassword}), "+OK");
  ASSERT_EQ(admin.command({"CONFIG", "SET", "requirepass", "not the password"}), "+OK");
  EXPECT_TRUE(eventually([&] { return joined(refused) == 1; }, 5s))
      << refused.process.stderr_text();
}

// The ACL user of servers/deploy/redis-acl.txt: a room with names works (claims are Lua scripts
// on the room's keys), and that user can touch no other key and no other channel.
TEST_F(RedisAccess, AnAclUserWithTheShippedRulesChatsAndTouchesNothingElse) {
  const std::string rules = shipped_acl_rules();
  ASSERT_FALSE(rules.empty());
  RedisClient admin(redis_->socket());
  std::vector<std::string> setuser = {"ACL", "SETUSER", "chatnode", "on",
                                      std::string(">") + kPassword};
  for (const auto& rule : words(rules)) setuser.push_back(rule);
  ASSERT_EQ(admin.command(setuser), "+OK");
  TempFile password(std::string(kPassword) + "\n");
  const std::vector<std::string> as_chatnode = {"-names", "-redis",
                                                "unix://chatnode@" + redis_->socket(),
                                                "-redis-password-file", password.path()};
  auto one = node(as_chatnode);
  auto two = node(as_chatnode);
  auto alice = TcpClient::connect(one.port);
  EXPECT_EQ(alice.read_line(5s), "Enter your name:");
  alice.send("alice\n");
  EXPECT_EQ(alice.read_line(5s), "You are alice");
  auto other = TcpClient::connect(two.port);
  EXPECT_EQ(other.read_line(5s), "Enter your name:");
  other.send("ALICE\n");
  EXPECT_EQ(other.read_line(5s), "name taken, try another:") << "claimed on Redis, room-wide";
  other.send("bob\n");
  EXPECT_EQ(other.read_line(5s), "You are bob");
  EXPECT_TRUE(heard(alice, "bob has arrived", 5s));
  other.send("hello alice\n");
  EXPECT_TRUE(heard(alice, "bob: hello alice", 5s));
  for (Server* each : {&one, &two}) {
    EXPECT_EQ(each->process.stderr_text().find("redis refused"), std::string::npos)
        << each->process.stderr_text();
  }

  RedisClient as_node(redis_->socket());
  ASSERT_EQ(as_node.command({"AUTH", "chatnode", kPassword}), "+OK");
  EXPECT_TRUE(as_node.command({"PUBLISH", "gonet:chat:chat", "x"}).starts_with(":"));
  for (const std::vector<std::string>& refused : std::vector<std::vector<std::string>>{
           {"SET", "somekey", "1"},
           {"GET", "gonet:chat:other:name:alice"},
           {"GET", "gonet:chat:chat"},
           {"PUBLISH", "gonet:chat:other", "x"},
           {"PUBLISH", "another-service", "x"},
           {"EVAL", "return redis.call('set', KEYS[1], '1')", "1", "somekey"},
           {"EVAL", "return redis.call('keys', '*')", "0"},
           {"KEYS", "*"},
           {"FLUSHALL"},
           {"CONFIG", "GET", "*"},
           {"SUBSCRIBE", "gonet:chat:other"},
       }) {
    const std::string reply = as_node.command(refused);
    EXPECT_TRUE(reply.starts_with("-NOPERM") || reply.starts_with("-ERR"))
        << refused[0] << " " << refused[1] << ": " << reply;
  }
}

// rediss://: Redis's certificate verified against -redis-tls-ca and the host's name.
class RedisOverTls : public RedisAccess {
 protected:
  void SetUp() override {
    RedisAccess::SetUp();
    if (IsSkipped()) return;
    if (!on_path("openssl")) GTEST_SKIP() << "openssl is missing: scripts/setup.sh installs it";
  }
  void serve_tls(const std::string& cert, bool auth_clients = false) {
    redis_.reset();
    redis_.emplace(
        std::vector<std::string>{},
        RedisServer::Tls{certificates_.file(cert + ".crt"), certificates_.file(cert + ".key"),
                         certificates_.file("clients-ca.pem"), auth_clients});
  }
  std::string url() const { return "rediss://localhost:" + std::to_string(redis_->tls_port()); }
  Certificates certificates_;
};

TEST_F(RedisOverTls, NodesJoinARedisWhoseCertificateTheyTrust) {
  serve_tls("server");
  auto one = node({"-redis", url(), "-redis-tls-ca", certificates_.file("ca.pem")});
  auto two = node({"-redis", url(), "-redis-tls-ca", certificates_.file("ca.pem")});
  expect_one_room(one, two);
}

TEST_F(RedisOverTls, AWrongCaIsOneLineAndLocalChatGoesOn) {
  serve_tls("server");
  auto refused =
      node({"-redis", url(), "-redis-tls-ca", certificates_.file("other-ca.pem")}, false);
  expect_refused_in_one_line(refused,
                             "tls handshake with localhost:" + std::to_string(redis_->tls_port()) +
                                 ": certificate verify failed (unable to get local "
                                 "issuer certificate)");
}

// A certificate naming the host in its common name alone is refused, as Go and browsers refuse
// it: names are checked against subject alternative names only.
TEST_F(RedisOverTls, ACertificateWithTheNameOnlyInItsCommonNameIsRefused) {
  serve_tls("cn-only");
  auto refused = node({"-redis", url(), "-redis-tls-ca", certificates_.file("ca.pem")}, false);
  expect_refused_in_one_line(refused, "certificate verify failed (hostname mismatch)");
}

// tls-auth-clients yes: a node without a client certificate is refused; with one, it joins.
TEST_F(RedisOverTls, ARedisThatWantsClientCertificatesTakesANodeThatHasOne) {
  serve_tls("server", true);
  auto without = node({"-redis", url(), "-redis-tls-ca", certificates_.file("ca.pem")}, false);
  ASSERT_TRUE(without.process.wait_for_stderr_line("this server's clients chat among", 5s));
  EXPECT_EQ(joined(without), 0u) << without.process.stderr_text();
  auto with =
      node({"-redis", url(), "-redis-tls-ca", certificates_.file("ca.pem"), "-redis-tls-cert",
            certificates_.file("client.crt"), "-redis-tls-key", certificates_.file("client.key")});
  auto also =
      node({"-redis", url(), "-redis-tls-ca", certificates_.file("ca.pem"), "-redis-tls-cert",
            certificates_.file("client.crt"), "-redis-tls-key", certificates_.file("client.key")});
  expect_one_room(with, also);
  EXPECT_EQ(joined(without), 0u);
}

// An ACL user that may not do what a node needs: each refusal is Redis's error, logged (a line a
// second at most) and counted, and the node is on its own, never half in the room.
TEST_F(RedisAccess, ALinkRedisRefusesIsDownAndEveryRefusalIsLogged) {
  const std::string rules = shipped_acl_rules();
  RedisClient admin(redis_->socket());
  const auto user = [&](const std::string& name, const std::string& without) {
    std::vector<std::string> setuser = {"ACL", "SETUSER", name, "on", std::string(">") + kPassword};
    for (const auto& rule : words(rules)) setuser.push_back(rule);
    setuser.push_back("-" + without);
    ASSERT_EQ(admin.command(setuser), "+OK");
  };
  user("nosubscribe", "subscribe");
  user("nopublish", "publish");
  user("noeval", "eval");
  TempFile password(std::string(kPassword) + "\n");
  const auto as = [&](const std::string& name, bool names) {
    std::vector<std::string> flags = {"-redis", "unix://" + name + "@" + redis_->socket(),
                                      "-redis-password-file", password.path()};
    if (names) flags.push_back("-names");
    return node(flags, names);
  };
  auto deaf = as("nosubscribe", false);
  auto mute = as("nopublish", false);
  expect_refused_in_one_line(deaf, "subscribe refused: -NOPERM");
  // Its heartbeat never goes out, so it never joins: each refusal of it is logged.
  ASSERT_TRUE(mute.process.wait_for_stderr_line("redis refused PUBLISH: NOPERM", 5s))
      << mute.process.stderr_text();
  EXPECT_EQ(joined(mute), 0u);
  // A name claim refused: "taken", and the error logged; a node that may not claim admits no one.
  auto scriptless = as("noeval", true);
  auto carol = TcpClient::connect(scriptless.port);
  EXPECT_EQ(carol.read_line(5s), "Enter your name:");
  carol.send("carol\n");
  EXPECT_EQ(carol.read_line(5s), "name taken, try another:");
  EXPECT_TRUE(
      scriptless.process.wait_for_stderr_line("redis refused a name claim (EVAL): NOPERM", 2s))
      << scriptless.process.stderr_text();
  for (Server* each : {&deaf, &mute, &scriptless}) expect_clean_stop(each->process);
}

// The room's key: required with -redis, long enough, private; two lines let it change.
class RoomKey : public RedisAccess {};

TEST_F(RoomKey, RedisWithoutOneIsRefusedWithHowToMakeOne) {
  auto chat = start_program("chat", {"-port", "0", "-redis", redis_->socket()});
  EXPECT_EQ(chat.wait_exit(5s), 2);
  const std::string said = chat.stderr_text();
  EXPECT_EQ(count(said, "\n"), 1u) << said;
  EXPECT_NE(said.find("-redis needs -room-key-file"), std::string::npos) << said;
  EXPECT_NE(said.find("head -c 32 /dev/urandom | base64 > room.key"), std::string::npos) << said;
}

TEST_F(RoomKey, AShortKeyOrThreeKeysAreRefusedAtStart) {
  for (const std::string& keys :
       {std::string("too short\n"), std::string(kKey) + "\n" + kKey + "\n" + kKey + "\n",
        std::string("\n")}) {
    TempFile file(keys);
    auto chat = start_program(
        "chat", {"-port", "0", "-redis", redis_->socket(), "-room-key-file", file.path()});
    EXPECT_EQ(chat.wait_exit(5s), 1);
    const std::string said = chat.stderr_text();
    EXPECT_EQ(count(said, "\n"), 1u) << said;
    EXPECT_TRUE(said.starts_with("chat: -room-key-file " + file.path() + ": ")) << said;
  }
  auto missing = start_program("chat", {"-port", "0", "-redis", redis_->socket(), "-room-key-file",
                                        "/nonexistent/room.key"});
  EXPECT_EQ(missing.wait_exit(5s), 1);
  EXPECT_EQ(missing.stderr_text(),
            "chat: read -room-key-file /nonexistent/room.key: no such file or directory\n");
}

TEST_F(RoomKey, AKeyFileOthersMayReadIsWarnedAbout) {
  ::chmod(key_file_->path().c_str(), 0644);
  auto shared = node();
  EXPECT_NE(shared.process.stderr_text().find("others may read it (chmod 600 it)"),
            std::string::npos)
      << shared.process.stderr_text();
}

// Rotation: nodes part-way through a change of key (one signing with the old, one with the new,
// each taking both) are one room; a node with neither key hears none of it.
TEST_F(RoomKey, TwoKeysLetARoomChangeItsKeyWithoutDowntime) {
  const std::string old_key(kKey), new_key = "bmV3IGtleSBvZiB0aGUgdGVzdHMnIG93biByb29tIQ==";
  TempFile old_first(old_key + "\n" + new_key + "\n"), new_first(new_key + "\n" + old_key + "\n");
  TempFile stranger("c29tZW9uZSBlbHNlJ3Mga2V5IGVudGlyZWx5LCBzZWNyZXQ=\n");
  auto one = start_server("chat", {"-redis", redis_->socket(), "-room-key-file", old_first.path()});
  auto two = start_server("chat", {"-redis", redis_->socket(), "-room-key-file", new_first.path()});
  auto three =
      start_server("chat", {"-redis", redis_->socket(), "-room-key-file", stranger.path()});
  for (Server* each : {&one, &two, &three}) {
    ASSERT_TRUE(eventually([&] { return joined(*each) == 1; }, 5s)) << each->process.stderr_text();
  }
  expect_one_room(one, two);
  auto alice = join(one.port);
  auto outsider = join(three.port);
  alice.tcp.send("not for strangers\n");
  EXPECT_TRUE(heard(alice.tcp, alice.name + ": not for strangers", 5s));
  expect_nothing_more(outsider.tcp, 500ms, "a node with another key");
  EXPECT_TRUE(three.process.wait_for_stderr_line("not signed by this room's key", 2s));
}

}  // namespace
}  // namespace e2e::redis_access
