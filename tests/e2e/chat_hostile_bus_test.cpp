// Chat across servers on a hostile bus (SPEC "chat across servers, on a hostile bus"): whoever
// can publish on the room's Redis channel is a client of every node at once. Each finding of the
// probe that broke the first bus is an attack here, made twice: as the probe made it, in the
// unsigned format of the time, and signed with the room's key, as a key holder gone wrong could,
// so that the checks behind the signature are reached too. After each, as the SPEC bounds it:
// nothing any client sees changes (unless a key holder said something a node may say), a client's
// own line still crosses nodes within 2 s, no node grew by more than 64 MiB, each node's log grew
// by a few lines at most, and SIGTERM ends every node within 2 s.
#include <csignal>
#include <cstdint>
#include <limits>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/e2e/chat_cluster.hpp"

namespace e2e::hostile_bus {
namespace {

constexpr long kMaxGrowthKib = 64 * 1024;
// What a node may log of an attack: each kind of bus warning at most once a second.
constexpr std::size_t kMaxLogGrowth = 8192;
constexpr std::uint64_t kLastNumber = std::numeric_limits<std::uint64_t>::max();

// Two nodes of one room (one of two event loops), a client on each that has heard the other
// arrive, a publisher on Redis, and what the nodes were before the attack.
class HostileBus : public ChatCluster {
 protected:
  void SetUp() override {
    ChatCluster::SetUp();
    if (IsSkipped()) return;
    start(names_);
  }

  void start(bool names) {
    std::vector<std::string> flags =
        names ? std::vector<std::string>{"-names"} : std::vector<std::string>{};
    flags.push_back("-threads");
    flags.push_back("2");
    const testsupport::ChildOptions options =
        timings_.empty() ? options_for_measuring_memory()
                         : with_timings(timings_, options_for_measuring_memory());
    nodes_.push_back(node(flags, true, options));
    flags.resize(flags.size() - 2);
    nodes_.push_back(node(flags, true, options));
    if (names) {
      alice_ = named(nodes_[0], "alice");
      bob_ = named(nodes_[1], "bob");
    } else {
      alice_ = join(nodes_[0].port);
      bob_ = join(nodes_[1].port);
    }
    EXPECT_TRUE(heard(alice_->tcp, bob_->name + " has arrived", 5s));
    publisher_.emplace(redis_->socket());
    for (auto& each : nodes_) {
      rss_before_.push_back(resident_kib(each.process.pid()));
      log_before_.push_back(each.process.stderr_text().size());
    }
  }

  Member named(Server& at, const std::string& name) {
    auto tcp = TcpClient::connect(at.port);
    EXPECT_EQ(tcp.read_line(5s), "Enter your name:");
    tcp.send(name + "\n");
    EXPECT_EQ(tcp.read_line(5s), "You are " + name);
    EXPECT_TRUE(tcp.read_line(5s).has_value());  // Present: ...
    return Member{std::move(tcp), name};
  }

  void publish(const std::string& frame) {
    const std::string reply = publisher_->command({"PUBLISH", channel_of(), frame});
    ASSERT_TRUE(reply.starts_with(":")) << reply;
  }

  // A frame signed with the room's key, from a node of the test's own.
  std::string forged(char kind, const std::string& text, const std::string& node = "mallory") {
    ++seq_;
    if (kind != 'H') ++event_;
    return signed_frame(kKey, node, seq_, event_, kind, text);
  }

  // The SPEC's bounds after an attack. `quiet`: nothing reaches a client (every frame of it was
  // dropped), which is checked before anything else is said.
  void expect_unharmed(const std::string& attack, bool quiet = true) {
    SCOPED_TRACE(attack);
    if (quiet) {
      expect_nothing_more(alice_->tcp, 300ms, "alice, after " + attack);
      expect_nothing_more(bob_->tcp, 0ms, "bob, after " + attack);
    }
    const std::string line = "still here after " + attack;
    const auto said = steady_clock::now();
    alice_->tcp.send(line + "\n");
    EXPECT_TRUE(heard(bob_->tcp, alice_->name + ": " + line, 2s)) << "across nodes";
    EXPECT_LT(steady_clock::now() - said, 2s);
    EXPECT_TRUE(heard(alice_->tcp, alice_->name + ": " + line, 2s)) << "its own, in the order";
    for (std::size_t n = 0; n < nodes_.size(); ++n) {
      const long grown = resident_kib(nodes_[n].process.pid()) - rss_before_[n];
      EXPECT_LT(grown, kMaxGrowthKib) << "node " << n << " grew by " << grown << " KiB";
      const std::string log = nodes_[n].process.stderr_text();
      EXPECT_LE(log.size() - log_before_[n], kMaxLogGrowth) << log.substr(log_before_[n], 4096);
      EXPECT_EQ(log.find('\x1b', log_before_[n]), std::string::npos) << "a raw escape in the log";
    }
  }

  // SIGTERM ends each node within 2 s, whatever it was handed.
  void expect_prompt_stop() {
    for (auto& each : nodes_) {
      each.process.signal(SIGTERM);
      EXPECT_EQ(each.process.wait_exit(2s), 0) << each.process.stderr_text();
      expect_no_sanitizer_report(each.process);
    }
  }

  static std::string node_id(Server& of) {
    // The last it joined as.
    const std::string log = of.process.stderr_text();
    const std::regex joined("joined as node ([0-9a-f]+)");
    std::string id;
    for (auto at = std::sregex_iterator(log.begin(), log.end(), joined);
         at != std::sregex_iterator(); ++at) {
      id = (*at)[1];
    }
    return id;
  }

  bool names_ = false;
  std::string timings_;  // $GONET_CHAT_BUS_TIMINGS, none for the defaults
  std::vector<Server> nodes_;
  std::optional<Member> alice_, bob_;
  std::optional<RedisClient> publisher_;
  std::vector<long> rss_before_;
  std::vector<std::size_t> log_before_;
  std::uint64_t seq_ = 0, event_ = 0;
};

class HostileBusWithNames : public HostileBus {
 protected:
  void SetUp() override {
    names_ = true;
    HostileBus::SetUp();
  }
};

// For attacks whose harm would come only when nodes are found silent: a node is dead after 2 s.
class HostileBusQuickly : public HostileBus {
 protected:
  void SetUp() override {
    timings_ = kQuickTimings;
    HostileBus::SetUp();
  }
};

// Found: one empty message frame hung every node at 100 % CPU; SIGTERM did not end them.
TEST_F(HostileBus, AnEmptyMessageHangsNoNode) {
  publish(unsigned_frame("x", 1, 'M', ""));
  expect_unharmed("an unsigned empty message");
  publish(forged('M', "1\t"));  // a line of a client never announced
  expect_unharmed("a signed empty message of a stranger");
  // Said by a client a key holder announced: a line like any other, never of no bytes.
  publish(forged('A', "1\tmallory"));
  publish(forged('M', "1\t"));
  EXPECT_TRUE(heard(alice_->tcp, "mallory has arrived", 2s));
  EXPECT_EQ(alice_->tcp.read_line(2s), "mallory: ");
  EXPECT_TRUE(heard(bob_->tcp, "mallory: ", 2s));
  expect_unharmed("a signed empty message", false);
  expect_prompt_stop();
}

// Found: a heartbeat of 348 KB, a 256 KiB node id listing 8,000 members, took a node to 2 GB.
TEST_F(HostileBus, AHugeHeartbeatCostsNoMemory) {
  std::string members;
  for (int i = 1; i <= 8000; ++i) members += "\t" + std::to_string(i) + " m" + std::to_string(i);
  const std::string long_id(256 * 1024, 'n');
  publish(unsigned_frame(long_id, 1, 'H', members.substr(1)));
  expect_unharmed("an unsigned heartbeat of a 256 KiB node id");
  std::string listed = "0\t" + std::to_string(kLastNumber);
  for (int i = 1; i <= 8000; ++i) listed += "\t" + std::to_string(i) + "\tm" + std::to_string(i);
  publish(signed_frame(kKey, long_id, 1, 0, 'H', listed));
  publish(signed_frame(kKey, std::string(65, 'n'), 1, 0, 'H', listed));
  expect_unharmed("signed heartbeats of node ids over 64 bytes");
  expect_prompt_stop();
}

// Found: a forged message with OSC and CSI escapes and U+202E, and an arrival named with an
// escape, reached the clients byte for byte; a text without a newline ran into the next line.
TEST_F(HostileBus, ForgedTextNeverReachesATerminalRaw) {
  const std::string evil = "\x1b]0;owned\a\x1b[2J\u202eevil";
  publish(unsigned_frame("x", 1, 'M', "mallory: " + evil));
  publish(unsigned_frame("x", 2, 'A', "1 \x1b[31mREDNAME"));
  expect_unharmed("unsigned forged text");
  publish(forged('A', "1\t\x1b[31mREDNAME"));
  expect_unharmed("a signed arrival named with an escape");
  publish(forged('A', "2\tmallory"));
  publish(forged('M', "2\t" + evil));
  ASSERT_TRUE(heard(alice_->tcp, "mallory has arrived", 2s));
  // Escaped as a client's own text is, and a line of its own.
  EXPECT_EQ(alice_->tcp.read_line(2s), "mallory: \\x1b]0;owned\\a\\x1b[2J\\u202eevil");
  EXPECT_TRUE(heard(bob_->tcp, "mallory: \\x1b]0;owned\\a\\x1b[2J\\u202eevil", 2s));
  expect_unharmed("signed text with escapes", false);
  expect_prompt_stop();
}

// Found: one heartbeat with a node's id and the last sequence number, 2^64-1, cut that node off
// for good, and everyone saw "(18446744073709551611 messages skipped)".
TEST_F(HostileBus, AHeartbeatWithTheLastNumberCutsNoNodeOff) {
  const std::string victim = node_id(nodes_[1]);
  ASSERT_FALSE(victim.empty());
  publish(unsigned_frame(victim, kLastNumber, 'H', ""));
  expect_unharmed("an unsigned heartbeat numbered 2^64-1");
  publish(signed_frame(kKey, victim, kLastNumber, kLastNumber, 'H',
                       "0\t" + std::to_string(kLastNumber)));
  expect_unharmed("a signed heartbeat numbered 2^64-1");
  bob_->tcp.send("and from the victim's node\n");
  EXPECT_TRUE(heard(alice_->tcp, bob_->name + ": and from the victim's node", 2s));
  EXPECT_EQ(count(nodes_[1].process.stderr_text(), "did not send"), 0u)
      << "a leap no node makes is nobody's, not the victim's";
  expect_prompt_stop();
}

// A key holder uses a node's id with a number the node has not reached: the others take it, and
// would drop the node's own frames up to it; the node hears its id in a frame it did not send,
// says so once, and joins again under a fresh id. The room is whole again within seconds.
TEST_F(HostileBus, ANodeThatHearsItsOwnIdFromElsewhereTakesAFreshOneAndJoinsAgain) {
  const std::string victim = node_id(nodes_[1]);
  ASSERT_FALSE(victim.empty());
  publish(signed_frame(kKey, victim, 5000, 4000, 'H', "0\t" + std::to_string(kLastNumber)));
  ASSERT_TRUE(eventually([&] { return joined(nodes_[1]) >= 2; }, 5s))
      << nodes_[1].process.stderr_text();
  const std::string log = nodes_[1].process.stderr_text();
  EXPECT_EQ(count(log, "in a frame this node did not send"), 1u) << log;
  EXPECT_NE(node_id(nodes_[1]), victim);
  EXPECT_EQ(count(log, "joined as node " + victim), 1u) << "the old id is not used again";
  EXPECT_TRUE(heard(bob_->tcp, kBack, 5s));
  // The others hear bob leave (under the old id, or at the forged list) and arrive under the new
  // one, in that order: he is present, not gone.
  EXPECT_TRUE(heard(alice_->tcp, bob_->name + " has arrived", 5s));
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(count(alice_->tcp.read_available(), " has left"), 0u) << "bob is here";
  const std::string line = "back under a fresh id";
  EXPECT_TRUE(eventually(
      [&] {
        bob_->tcp.send(line + "\n");
        return heard(alice_->tcp, bob_->name + ": " + line, 500ms);
      },
      5s));
  expect_prompt_stop();
}

// Found: a 16 MiB name stalled a node for 6-9 s and sent newcomers a 16 MB Present: line.
TEST_F(HostileBusWithNames, ASixteenMebibyteNameStallsNoNode) {
  const std::string huge(16 * 1024 * 1024, 'z');
  publish(unsigned_frame("x", 1, 'A', "1 " + huge));
  expect_unharmed("an unsigned arrival of a 16 MiB name");
  publish(forged('A', "1\t" + huge));
  expect_unharmed("a signed arrival of a 16 MiB name");
  auto newcomer = named(nodes_[0], "carol");
  expect_prompt_stop();
}

// Found: 5,000 frames with 4 KiB node ids grew a node's log by 20.8 MB, a line per forged id
// (each node silent 8 s later), with raw escapes in it. Here also 2,500 nodes a key holder made
// up, each silent after its one heartbeat: their evictions are logged a line a second.
TEST_F(HostileBusQuickly, BusStringsDoNotControlTheLog) {
  const std::string id = "\x1b[31m" + std::string(4096, 'q');
  for (int i = 0; i < 5000; ++i) publish(unsigned_frame(id + std::to_string(i), 1, 'H', ""));
  for (int i = 0; i < 2500; ++i) {
    publish(signed_frame(kKey, id + std::to_string(i), 1, 0, 'H', "0\t0"));
    publish(signed_frame(kKey, "made-up-" + std::to_string(i), 1, 0, 'H', "0\t0"));
  }
  // Heard after every made-up node, with a client: when zed leaves, every node was found silent.
  publish(signed_frame(kKey, "made-up-last", 1, 0, 'H',
                       "0\t" + std::to_string(kLastNumber) + "\t1\tzed"));
  ASSERT_TRUE(heard(alice_->tcp, "zed has arrived", 10s));
  ASSERT_TRUE(heard(alice_->tcp, "zed has left", 10s));
  ASSERT_TRUE(heard(bob_->tcp, "zed has left", 5s));
  expect_unharmed("7,500 frames of 4 KiB node ids and 2,501 made-up nodes");
  for (auto& each : nodes_) {
    EXPECT_LE(count(each.process.stderr_text(), " is silent: "), 4u) << "a line a second";
  }
  expect_prompt_stop();
}

// Found: a forged arrival and leaving of alice freed the real alice's name; a second alice was
// admitted, and newcomers saw "Present: alice, alice".
TEST_F(HostileBusWithNames, AForgedArrivalAndLeavingDoNotFreeAName) {
  publish(unsigned_frame("x", 1, 'A', "1 alice"));
  publish(unsigned_frame("x", 2, 'L', "1 alice"));
  expect_unharmed("an unsigned arrival and leaving of alice");
  publish(forged('A', "1\talice"));
  publish(forged('L', "1"));
  EXPECT_TRUE(heard(bob_->tcp, "alice has left", 2s));
  auto second = TcpClient::connect(nodes_[1].port);
  EXPECT_EQ(second.read_line(5s), "Enter your name:");
  second.send("alice\n");
  EXPECT_EQ(second.read_line(5s), "name taken, try another:") << "the real alice is here";
  second.send("dave\n");
  EXPECT_EQ(second.read_line(5s), "You are dave");
  EXPECT_EQ(second.read_line(5s), "Present: alice, bob");
  expect_unharmed("a signed arrival and leaving of alice", false);
  expect_prompt_stop();
}

// Every kind of frame, unsigned, signed with another key, and signed for another room: dropped
// whole, counted, and warned about at most once a second.
TEST_F(HostileBus, AFrameNotSignedByTheRoomsKeyIsDroppedCountedAndWarnedAbout) {
  const std::string other_key(44, 'o');
  const std::vector<std::pair<char, std::string>> kinds = {
      {'M', "1\thi"}, {'A', "1\tmallory"}, {'L', "1"}, {'H', "0\t0\t1\tmallory"}, {'E', "x"}};
  const auto started = steady_clock::now();
  std::uint64_t seq = 0;
  for (const auto& [kind, text] : kinds) {
    ++seq;
    publish(signed_frame(kKey, "mallory", seq, seq, kind, text).substr(3 + 65));  // no MAC
    publish(signed_frame(other_key, "mallory", seq, seq, kind, text));
    publish(signed_frame(kKey, "mallory", seq, seq, kind, text, 0, "other"));
  }
  expect_unharmed("15 frames not signed by this room's key");
  const double seconds = std::chrono::duration<double>(steady_clock::now() - started).count();
  for (auto& each : nodes_) {
    const std::string log = each.process.stderr_text();
    const std::size_t warned = count(log, "dropped a frame: ");
    EXPECT_GE(warned, 1u) << log;
    EXPECT_LE(warned, static_cast<std::size_t>(seconds) + 1) << log;
  }
  // Counted: the next warning, a second on, says how many so far.
  std::this_thread::sleep_for(1100ms);
  publish(signed_frame(other_key, "mallory", 99, 99, 'M', "1\thi"));
  EXPECT_TRUE(nodes_[0].process.wait_for_stderr_line("(16 dropped so far)", 2s))
      << nodes_[0].process.stderr_text();
  expect_prompt_stop();
}

// A frame captured from the bus and published again is dropped: a message is not said twice, and
// a frame dated long ago (a replay to a node that never knew its sender) is not taken either.
TEST_F(HostileBus, AReplayedFrameIsDropped) {
  RedisClient listener(redis_->socket());
  listener.subscribe(channel_of());
  bob_->tcp.send("pay alice 100\n");
  const std::string said = bob_->name + ": pay alice 100";
  ASSERT_TRUE(heard(alice_->tcp, said, 2s));
  ASSERT_TRUE(heard(bob_->tcp, said, 2s));
  std::optional<std::string> captured;
  const auto until = steady_clock::now() + 5s;
  while (!captured && steady_clock::now() < until) {
    auto frame = listener.next_message(2s);
    if (frame && frame->ends_with("\tpay alice 100")) captured = frame;
  }
  ASSERT_TRUE(captured) << "bob's frame, as Redis carried it";
  publish(*captured);
  publish(*captured);
  expect_unharmed("a message frame replayed");
  publish(forged('A', "1\tmallory"));
  ASSERT_TRUE(heard(alice_->tcp, "mallory has arrived", 2s));
  ASSERT_TRUE(heard(bob_->tcp, "mallory has arrived", 2s));
  const auto an_hour_ago = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          (std::chrono::system_clock::now() - std::chrono::hours(1)).time_since_epoch())
          .count());
  ++seq_;
  ++event_;
  publish(signed_frame(kKey, "mallory", seq_, event_, 'M', "1\tfrom an hour ago", an_hour_ago));
  expect_unharmed("a frame sent an hour ago");
  expect_prompt_stop();
}

// Found: with Redis at maxmemory, 9 of 20 names claimed at once on two nodes were admitted on
// both: a reply that was not a number, such as Redis's out-of-memory error, read as "free".
// Names fail closed: whatever Redis answers but "yours" is "taken", and the error is logged.
TEST_F(ChatCluster, NamesOnARedisAtMaxmemoryAreNeverAdmittedTwice) {
  redis_.reset();
  redis_.emplace(
      std::vector<std::string>{"--maxmemory", "1mb", "--maxmemory-policy", "noeviction"});
  auto one = node({"-names"});
  auto two = node({"-names"});
  std::vector<std::thread> claims;
  std::vector<std::vector<std::string>> answers(40);
  for (int i = 0; i < 40; ++i) {
    claims.emplace_back([&, i] {
      auto client = TcpClient::connect(i % 2 == 0 ? one.port : two.port);
      if (client.read_line(5s) != "Enter your name:") return;
      client.send("user" + std::to_string(i / 2) + "\n");
      if (auto answer = client.read_line(5s)) answers[i].push_back(*answer);
    });
  }
  for (auto& claim : claims) claim.join();
  std::size_t admitted = 0;
  for (int i = 0; i < 40; i += 2) {
    const int in =
        (answers[i] == std::vector<std::string>{"You are user" + std::to_string(i / 2)}) +
        (answers[i + 1] == std::vector<std::string>{"You are user" + std::to_string(i / 2)});
    EXPECT_LE(in, 1) << "user" << i / 2 << " admitted on both nodes";
    admitted += in;
    for (int side = i; side <= i + 1; ++side) {
      ASSERT_EQ(answers[side].size(), 1u) << side;
      EXPECT_TRUE(answers[side][0] == "You are user" + std::to_string(i / 2) ||
                  answers[side][0] == "name taken, try another:")
          << answers[side][0];
    }
  }
  const std::string logs = one.process.stderr_text() + two.process.stderr_text();
  if (admitted < 20) {
    EXPECT_NE(logs.find("redis refused a name claim"), std::string::npos) << logs;
  }
}

}  // namespace
}  // namespace e2e::hostile_bus
