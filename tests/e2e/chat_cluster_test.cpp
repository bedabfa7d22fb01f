// One chat room across several chat servers on Redis (SPEC "chat across servers"): a real
// redis-server started by each test on a Unix socket in a scratch folder, three chat nodes
// sharing it, and clients on different nodes.
#include "tests/e2e/chat_cluster.hpp"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace e2e::chat_cluster {
namespace {

namespace fs = std::filesystem;

TEST_F(ChatCluster, MessagesArrivalsAndLeavingsCrossNodes) {
  auto one = node();
  auto two = node();
  auto alice = join(one.port);
  auto bob = join(two.port);
  EXPECT_TRUE(heard(alice.tcp, bob.name + " has arrived", 5s));
  bob.tcp.send("hi from two\n");
  EXPECT_TRUE(heard(alice.tcp, bob.name + ": hi from two", 5s));
  EXPECT_TRUE(heard(bob.tcp, bob.name + ": hi from two", 5s)) << "its own line, in the order";
  alice.tcp.send("hi from one\n");
  EXPECT_TRUE(heard(bob.tcp, alice.name + ": hi from one", 5s));
  bob.tcp.shutdown_write();
  EXPECT_TRUE(heard(alice.tcp, bob.name + " has left", 5s));
  expect_clean_stop(one.process);
  expect_clean_stop(two.process);
}

// Clients come, say a line and go, 40 on each node (one of them of two event loops) at once, for
// long enough that heartbeats go out among them: a watcher on each node hears one transcript,
// each client's arrival, line and leaving in it once and in that order.
TEST_F(ChatCluster, EveryNodeHearsArrivalsLinesAndLeavingsInOneOrder) {
  std::vector<Server> nodes;
  nodes.push_back(node({"-threads", "2"}));
  nodes.push_back(node());
  nodes.push_back(node());
  std::vector<Member> watchers;
  for (auto& n : nodes) watchers.push_back(join(n.port));
  for (auto& watcher : watchers) {
    ASSERT_TRUE(&watcher == &watchers.back() ||
                heard(watcher.tcp, watchers.back().name + " has arrived", 5s));
  }
  const std::string begin = watchers[0].name + ": begin", end = watchers[0].name + ": end";
  watchers[0].tcp.send("begin\n");
  for (auto& watcher : watchers) ASSERT_TRUE(heard(watcher.tcp, begin, 5s));
  std::vector<std::thread> threads;
  std::vector<std::vector<std::string>> names(nodes.size());
  for (std::size_t n = 0; n < nodes.size(); ++n) {
    threads.emplace_back([&, n] {
      for (int i = 0; i < 40; ++i) {
        auto client = join(nodes[n].port);
        names[n].push_back(client.name);
        client.tcp.send("passing through\n");
        client.tcp.shutdown_write();
        client.tcp.read_until_eof(5s);
        std::this_thread::sleep_for(50ms);  // 2 s in all: some heartbeats go out among them
      }
    });
  }
  for (auto& thread : threads) thread.join();
  watchers[0].tcp.send("end\n");
  std::vector<std::vector<std::string>> transcripts;
  for (auto& watcher : watchers) {
    transcripts.push_back(read_until_line(watcher.tcp, end, 10s));
    ASSERT_EQ(transcripts.back().back(), end);
  }
  EXPECT_EQ(transcripts[0], transcripts[1]);
  EXPECT_EQ(transcripts[0], transcripts[2]);
  // A port may serve two clients one after the other (of two nodes): then the name is twice in.
  std::map<std::string, std::size_t> clients_named;
  for (const auto& of_node : names) {
    for (const auto& name : of_node) ++clients_named[name];
  }
  for (const auto& [name, clients] : clients_named) {
    std::vector<std::string> got;
    for (const auto& line : transcripts[0]) {
      if (line.starts_with(name + " ") || line.starts_with(name + ":")) got.push_back(line);
    }
    for (const std::string said : {" has arrived", ": passing through", " has left"}) {
      EXPECT_EQ(std::count(got.begin(), got.end(), name + said), clients) << name << said;
    }
    if (clients == 1) {
      EXPECT_EQ(got, (std::vector<std::string>{name + " has arrived", name + ": passing through",
                                               name + " has left"}));
    }
  }
}

// Three senders, one on each node, 30 lines each, as fast as they can; a listener on each node.
// Every listener hears the 90 lines in one order, and each sender's in the order it sent them.
TEST_F(ChatCluster, EveryNodeDeliversOneOrder) {
  std::vector<Server> nodes;
  for (int i = 0; i < 3; ++i) nodes.push_back(node());
  std::vector<Member> senders, listeners;
  for (auto& n : nodes) listeners.push_back(join(n.port));
  for (auto& n : nodes) senders.push_back(join(n.port));
  // Everyone has heard every arrival before the lines start.
  for (auto& listener : listeners) {
    for (auto& sender : senders) {
      ASSERT_TRUE(heard(listener.tcp, sender.name + " has arrived", 5s));
    }
  }
  std::vector<std::thread> threads;
  for (std::size_t s = 0; s < senders.size(); ++s) {
    threads.emplace_back([&, s] {
      std::string lines;
      for (int i = 0; i < 30; ++i) lines += "line " + std::to_string(i) + "\n";
      senders[s].tcp.send(lines);
    });
  }
  for (auto& thread : threads) thread.join();
  std::vector<std::vector<std::string>> heard_by;
  for (auto& listener : listeners) {
    heard_by.push_back(messages(listener.tcp, 90, ": line "));
    ASSERT_EQ(heard_by.back().size(), 90u);
  }
  EXPECT_EQ(heard_by[0], heard_by[1]);
  EXPECT_EQ(heard_by[0], heard_by[2]);
  for (auto& sender : senders) {
    int next = 0;
    for (const auto& line : heard_by[0]) {
      if (line.starts_with(sender.name + ": ")) {
        EXPECT_EQ(line, sender.name + ": line " + std::to_string(next++));
      }
    }
    EXPECT_EQ(next, 30);
  }
}

// Without -names a client is named by its address, which only its own node keeps unique: two
// clients of two nodes may share one (behind a NAT), and both are in.
TEST_F(ChatCluster, TwoNodesAdmitClientsWithTheSameAddress) {
  auto one = node();
  auto two = node();
  auto watcher = join(two.port);
  const std::uint16_t port = unused_port();
  const std::string name = "127.0.0.9:" + std::to_string(port);
  auto here = TcpClient::connect_from("127.0.0.9", one.port, "127.0.0.1", port);
  EXPECT_EQ(here.read_line(5s), "You are " + name);
  ASSERT_TRUE(heard(watcher.tcp, name + " has arrived", 5s)) << "node two knows the first";
  auto there = TcpClient::connect_from("127.0.0.9", two.port, "127.0.0.1", port);
  EXPECT_EQ(there.read_line(5s), "You are " + name);
  there.send("twin\n");
  EXPECT_TRUE(heard(here, name + ": twin", 5s));
}

TEST_F(ChatCluster, RoomsOnOneRedisStayApart) {
  auto lobby = node();
  auto other = node({"-room", "other"});
  auto here = join(lobby.port);
  auto there = join(other.port);
  there.tcp.send("only for the other room\n");
  EXPECT_TRUE(heard(there.tcp, there.name + ": only for the other room", 5s));
  expect_nothing_more(here.tcp, 500ms, "a client of another room");
}

TEST_F(ChatCluster, NamesAreTakenRoomWideAndPresentListsTheRoom) {
  auto one = node({"-names"});
  auto two = node({"-names"});
  auto alice = TcpClient::connect(one.port);
  EXPECT_EQ(alice.read_line(5s), "Enter your name:");
  alice.send("alice\n");
  EXPECT_EQ(alice.read_line(5s), "You are alice");
  EXPECT_EQ(alice.read_line(5s), "Present: nobody");

  auto other = TcpClient::connect(two.port);
  EXPECT_EQ(other.read_line(5s), "Enter your name:");
  for (const char* taken : {"alice", "ALICE", "a1ice"}) {  // the last looks like it
    other.send(std::string(taken) + "\n");
    EXPECT_EQ(other.read_line(5s), "name taken, try another:") << taken;
  }
  other.send("bob\n");
  EXPECT_EQ(other.read_line(5s), "You are bob");
  EXPECT_EQ(other.read_line(5s), "Present: alice");
  EXPECT_TRUE(heard(alice, "bob has arrived", 5s));

  // Gone from one node, the name is free on the other.
  alice.shutdown_write();
  EXPECT_TRUE(heard(other, "alice has left", 5s));
  auto again = TcpClient::connect(two.port);
  EXPECT_EQ(again.read_line(5s), "Enter your name:");
  again.send("alice\n");
  EXPECT_EQ(again.read_line(5s), "You are alice");
}

TEST_F(ChatCluster, AKilledNodesClientsLeaveOnceWithinTenSeconds) {
  auto one = node();
  auto two = node();
  auto doomed = node();
  auto watcher = join(one.port);
  auto neighbour = join(two.port);
  auto victim = join(doomed.port);
  ASSERT_TRUE(heard(watcher.tcp, victim.name + " has arrived", 5s));
  ASSERT_TRUE(heard(neighbour.tcp, victim.name + " has arrived", 5s));
  const auto killed = steady_clock::now();
  doomed.process.signal(SIGKILL);
  ASSERT_TRUE(heard(watcher.tcp, victim.name + " has left", 13s));
  EXPECT_LT(steady_clock::now() - killed, 10s);
  EXPECT_TRUE(heard(neighbour.tcp, victim.name + " has left", 2s));
  // Once: every node noticed, and only the first word of it counted.
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(count(watcher.tcp.read_available(), " has left"), 0u);
  EXPECT_EQ(count(neighbour.tcp.read_available(), " has left"), 0u);
}

// A node the others evicted while it was alive (stopped past dead_after) is back with its next
// heartbeat; when it dies later, its clients are announced gone as any dead node's are.
TEST_F(ChatCluster, ANodeEvictedWhileAliveIsAnnouncedGoneWhenItDiesLater) {
  auto one = node({}, true, with_timings(kQuickTimings));
  auto two = node({}, true, with_timings(kQuickTimings));
  auto watcher = join(one.port);
  auto victim = join(two.port);
  ASSERT_TRUE(heard(watcher.tcp, victim.name + " has arrived", 5s));
  two.process.signal(SIGSTOP);
  ASSERT_TRUE(heard(watcher.tcp, victim.name + " has left", 10s));
  two.process.signal(SIGCONT);
  ASSERT_TRUE(heard(watcher.tcp, victim.name + " has arrived", 5s)) << "back";
  two.process.signal(SIGKILL);
  const auto killed = steady_clock::now();
  ASSERT_TRUE(heard(watcher.tcp, victim.name + " has left", 10s)) << "gone again";
  EXPECT_LT(steady_clock::now() - killed, 10s);
}

// The node that notices a dead one says so on the bus, and may be the only one to: when what it
// said is lost (Redis, stopped before it was said, is killed with it unread), it says it again
// once back, and the dead node's clients leave once. The survivor finds the dead node silent
// (dead_after) before it finds Redis silent (silent_after, the default 3 s): both went quiet
// together.
TEST_F(ChatCluster, ADeadNodesClientsLeaveEvenWhenTheFirstWordOfItIsLost) {
  const auto timings =
      with_timings("beat=100ms,dead_after=1s,rejoin_grace=500ms,first_retry=50ms,last_retry=200ms");
  auto survivor = node({}, true, timings);
  auto doomed = node({}, true, timings);
  auto watcher = join(survivor.port);
  auto victim = join(doomed.port);
  ASSERT_TRUE(heard(watcher.tcp, victim.name + " has arrived", 5s));
  redis_->process().signal(SIGSTOP);
  doomed.process.signal(SIGKILL);
  ASSERT_TRUE(survivor.process.wait_for_stderr_line(" is silent: its clients have left", 5s))
      << survivor.process.stderr_text();
  EXPECT_EQ(count(survivor.process.stderr_text(), "chat among themselves"), 0u)
      << "the survivor found Redis silent first, and said nothing of the dead node";
  redis_->process().signal(SIGKILL);
  ASSERT_TRUE(redis_->process().wait_exit(5s));
  EXPECT_EQ(count(watcher.tcp.read_available(), " has left"), 0u) << "the first word arrived";
  redis_->start();
  ASSERT_TRUE(heard(watcher.tcp, kBack, 5s));
  EXPECT_TRUE(heard(watcher.tcp, victim.name + " has left", 5s));
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(count(watcher.tcp.read_available(), " has left"), 0u) << "once";
}

// $GONET_CHAT_BUS_TIMINGS may only shorten: anything else stops a node at start, in one line.
TEST_F(ChatCluster, TimingsLongerOrMalformedStopANodeAtStartInOneLine) {
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"dead_after=9s",
       "chat: $GONET_CHAT_BUS_TIMINGS: dead_after=9s: longer than its default 8s "
       "(it may only shorten)\n"},
      {"beat=1ms", "chat: $GONET_CHAT_BUS_TIMINGS: beat=1ms: shorter than 10ms\n"},
      {"heartbeat=1s",
       "chat: $GONET_CHAT_BUS_TIMINGS: heartbeat=1s: no such timing (beat, "
       "silent_after, dead_after, rejoin_grace, first_retry, last_retry)\n"},
  };
  for (const auto& [timings, said] : refused) {
    auto chat = start_program(
        "chat", {"-port", "0", "-redis", redis_->socket(), "-room-key-file", key_file_->path()},
        with_timings(timings));
    EXPECT_EQ(chat.wait_exit(5s), 1) << timings;
    EXPECT_EQ(chat.stderr_text(), said);
  }
}

// Redis takes one of a node's two connections and refuses the other (its client limit): the
// node is not in the room, and its clients are told so once, not that the servers are back and
// then cut off again at every try.
TEST_F(ChatCluster, ANodeRedisHalfRefusesIsCutOffOnceNotAgainAndAgain) {
  redis_.reset();
  redis_.emplace(std::vector<std::string>{"--maxclients", "1"});
  auto lonely = node({}, false);
  auto alice = join(lonely.port);
  EXPECT_EQ(alice.tcp.read_line(5s), kCutOff);
  expect_nothing_more(alice.tcp, 4s, "a client of a node that cannot publish");
  EXPECT_EQ(joined(lonely), 0u);
}

// SPEC: a dead node's clients' names are free again once they are announced gone.
TEST_F(ChatCluster, ADeadNodesNamesAreFreeAgain) {
  auto alive = node({"-names"}, true, with_timings(kQuickTimings));
  auto doomed = node({"-names"}, true, with_timings(kQuickTimings));
  auto bob = TcpClient::connect(alive.port);
  EXPECT_EQ(bob.read_line(5s), "Enter your name:");
  bob.send("bob\n");
  EXPECT_EQ(bob.read_line(5s), "You are bob");
  auto alice = TcpClient::connect(doomed.port);
  EXPECT_EQ(alice.read_line(5s), "Enter your name:");
  alice.send("alice\n");
  EXPECT_EQ(alice.read_line(5s), "You are alice");
  ASSERT_TRUE(heard(bob, "alice has arrived", 5s));
  doomed.process.signal(SIGKILL);
  ASSERT_TRUE(heard(bob, "alice has left", 10s));
  auto again = TcpClient::connect(alive.port);
  EXPECT_EQ(again.read_line(5s), "Enter your name:");
  again.send("alice\n");
  EXPECT_EQ(again.read_line(5s), "You are alice");
}

// SIGSTOP: Redis keeps its connections and answers nothing, the case a heartbeat must notice.
TEST_F(ChatCluster, WhenRedisFallsSilentEachNodeChatsAloneAndTheRoomMendsWhenItIsBack) {
  auto one = node();
  auto two = node();
  auto alice = join(one.port);
  auto carol = join(one.port);
  auto bob = join(two.port);
  ASSERT_TRUE(heard(alice.tcp, carol.name + " has arrived", 5s));
  ASSERT_TRUE(heard(alice.tcp, bob.name + " has arrived", 5s));
  redis_->process().signal(SIGSTOP);
  const auto stopped = steady_clock::now();
  ASSERT_TRUE(heard(alice.tcp, kCutOff, 6s));
  EXPECT_LT(steady_clock::now() - stopped, 5500ms);
  ASSERT_TRUE(heard(bob.tcp, kCutOff, 6s));
  ASSERT_TRUE(heard(carol.tcp, kCutOff, 2s));
  alice.tcp.send("only node one\n");
  EXPECT_TRUE(heard(carol.tcp, alice.name + ": only node one", 5s));
  EXPECT_TRUE(heard(alice.tcp, alice.name + ": only node one", 5s));
  EXPECT_FALSE(heard(bob.tcp, alice.name + ": only node one", 500ms)) << "across a cut";
  auto late = join(two.port);  // arrives while the room is apart
  EXPECT_EQ(late.tcp.read_line(5s), kCutOff);
  EXPECT_TRUE(heard(bob.tcp, late.name + " has arrived", 5s));
  expect_nothing_more(alice.tcp, 300ms, "a client of the other node, while cut off");

  redis_->process().signal(SIGCONT);
  const auto resumed = steady_clock::now();
  ASSERT_TRUE(heard(alice.tcp, kBack, 6s));
  EXPECT_LT(steady_clock::now() - resumed, 5500ms);
  ASSERT_TRUE(heard(bob.tcp, kBack, 6s));
  // Who came meanwhile is announced to the other node, and the room is one again.
  EXPECT_TRUE(heard(alice.tcp, late.name + " has arrived", 5s));
  bob.tcp.send("together again\n");
  EXPECT_TRUE(heard(alice.tcp, bob.name + ": together again", 5s));
  EXPECT_TRUE(heard(carol.tcp, bob.name + ": together again", 5s));
}

TEST_F(ChatCluster, ANodeOutlivesRedisAndRejoinsARestartedOne) {
  auto one = node();
  auto two = node();
  auto alice = join(one.port);
  auto bob = join(two.port);
  ASSERT_TRUE(heard(alice.tcp, bob.name + " has arrived", 5s));
  redis_->process().signal(SIGKILL);
  ASSERT_TRUE(heard(alice.tcp, kCutOff, 6s));
  ASSERT_TRUE(heard(bob.tcp, kCutOff, 6s));
  redis_->start();
  ASSERT_TRUE(heard(alice.tcp, kBack, 6s));
  ASSERT_TRUE(heard(bob.tcp, kBack, 6s));
  alice.tcp.send("after the restart\n");
  EXPECT_TRUE(heard(bob.tcp, alice.name + ": after the restart", 5s));
  EXPECT_EQ(one.process.wait_exit(0ms), std::nullopt) << "a node died with Redis";
}

// SPEC: when Redis is back, the room is whole within 5 s, with the leavings meanwhile announced.
// A node that died while Redis was away is one of those; a live node, back a little later than
// the others, is not. Three rounds, since which node is back first varies.
TEST_F(ChatCluster, ANodeThatDiedWhileRedisWasAwayIsGoneWithinFiveSecondsOfItsReturn) {
  auto one = node();
  auto two = node();
  auto watcher = join(one.port);
  auto neighbour = join(two.port);
  ASSERT_TRUE(heard(watcher.tcp, neighbour.name + " has arrived", 5s));
  std::vector<std::string> seen, seen_by_neighbour, victims;
  for (int round = 0; round < 3; ++round) {
    auto doomed = node();
    auto victim = join(doomed.port);
    victims.push_back(victim.name);
    ASSERT_TRUE(heard(watcher.tcp, victim.name + " has arrived", 5s));
    ASSERT_TRUE(heard(neighbour.tcp, victim.name + " has arrived", 5s));
    redis_->process().signal(SIGKILL);
    ASSERT_TRUE(redis_->process().wait_exit(5s));
    ASSERT_TRUE(heard(watcher.tcp, kCutOff, 6s));
    ASSERT_TRUE(heard(neighbour.tcp, kCutOff, 6s));
    doomed.process.signal(SIGKILL);
    ASSERT_TRUE(doomed.process.wait_exit(5s));
    redis_->start();
    const auto back = steady_clock::now();
    const std::string left = victim.name + " has left";
    auto lines = read_until_line(watcher.tcp, left, 8s);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back(), left) << "round " << round;
    EXPECT_LT(steady_clock::now() - back, 5s) << "round " << round;
    EXPECT_EQ(lines.front(), kBack) << "round " << round;
    seen.insert(seen.end(), lines.begin(), lines.end());
    lines = read_until_line(neighbour.tcp, left, 2s);
    EXPECT_EQ(lines.back(), left) << "round " << round;
    seen_by_neighbour.insert(seen_by_neighbour.end(), lines.begin(), lines.end());
  }
  std::this_thread::sleep_for(2s);
  const std::string rest = watcher.tcp.read_available(),
                    rest_there = neighbour.tcp.read_available();
  EXPECT_EQ(count(rest, " has left"), 0u) << rest;
  EXPECT_EQ(count(rest_there, " has left"), 0u) << rest_there;
  EXPECT_EQ(std::count(seen.begin(), seen.end(), neighbour.name + " has left"), 0)
      << "a live node's client announced gone";
  for (const auto& victim : victims) {
    EXPECT_EQ(std::count(seen.begin(), seen.end(), victim + " has left"), 1) << victim;
    EXPECT_EQ(std::count(seen_by_neighbour.begin(), seen_by_neighbour.end(), victim + " has left"),
              1)
        << victim;
  }
}

// A node cut off alone (its way to Redis gone, the others' not) while another node dies: the
// others announce the dead node's clients gone as usual; the node cut off, which missed that,
// within 5 s of its way back, once, and no live node's clients with them.
TEST_F(ChatCluster, ANodeCutOffAloneHearsOfANodeThatDiedMeanwhileWithinFiveSecondsOfItsReturn) {
  if (!on_path("socat")) GTEST_SKIP() << "socat is missing: scripts/setup.sh installs it";
  // The lonely node reaches Redis through socat, a connection each (fork); killing socat's
  // process group (its own: ChildProcess) cuts that node off alone.
  const std::string way = (fs::path(redis_->socket()).parent_path() / "way.sock").string();
  const auto open_way = [&] {
    fs::remove(way);
    auto socat = ChildProcess::start(
        {"socat", "UNIX-LISTEN:" + way + ",fork", "UNIX-CONNECT:" + redis_->socket()});
    EXPECT_TRUE(eventually([&] { return fs::exists(way); }, 5s)) << socat.stderr_text();
    return socat;
  };
  auto socat = open_way();
  auto one = node();
  auto doomed = node();
  Server lonely = node({"-redis", way}, false);
  ASSERT_TRUE(eventually([&] { return joined(lonely) >= 1; }, 5s)) << lonely.process.stderr_text();
  auto watcher = join(lonely.port);
  auto neighbour = join(one.port);
  auto victim = join(doomed.port);
  ASSERT_TRUE(heard(watcher.tcp, victim.name + " has arrived", 5s));
  ASSERT_TRUE(heard(neighbour.tcp, victim.name + " has arrived", 5s));

  ::kill(-socat.pid(), SIGKILL);
  ASSERT_TRUE(heard(watcher.tcp, kCutOff, 6s));
  doomed.process.signal(SIGKILL);
  const std::string left = victim.name + " has left";
  ASSERT_TRUE(heard(neighbour.tcp, left, 12s)) << "the others, as for any dead node";
  socat.wait_exit(5s);
  socat = open_way();
  const auto back = steady_clock::now();
  const auto lines = read_until_line(watcher.tcp, left, 8s);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), kBack);
  EXPECT_EQ(lines.back(), left);
  EXPECT_LT(steady_clock::now() - back, 5s);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), neighbour.name + " has left"), 0)
      << "a live node's client announced gone";
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(count(watcher.tcp.read_available(), " has left"), 0u) << "once";
}

TEST_F(ChatCluster, ANodeStartedBeforeRedisServesAndJoinsLater) {
  redis_->process().signal(SIGKILL);
  ASSERT_TRUE(redis_->process().wait_exit(5s));
  auto early = node({}, false);
  auto alice = join(early.port);
  EXPECT_EQ(alice.tcp.read_line(5s), kCutOff);
  redis_->start();
  ASSERT_TRUE(heard(alice.tcp, kBack, 6s));
  auto later = node();
  auto bob = join(later.port);
  EXPECT_TRUE(heard(alice.tcp, bob.name + " has arrived", 5s));
  bob.tcp.send("hello early one\n");
  EXPECT_TRUE(heard(alice.tcp, bob.name + ": hello early one", 5s));
}

// While Redis answers nothing, a client floods as fast as the node takes lines: what waits for
// Redis is bounded (16 MiB of frames), and is let go when the node gives up on it.
TEST_F(ChatCluster, MemoryStaysBoundedWhileRedisIsSilentAndAClientFloods) {
  auto one = node({"-rate", "0"}, true, options_for_measuring_memory());
  auto flooder = join(one.port);
  const long before = resident_kib(one.process.pid());
  redis_->process().signal(SIGSTOP);
  const std::string line(60 * 1024, 'x');
  long peak = before;
  std::thread reader([&] {  // the flooder reads its own lines back, as a client should
    const auto until = steady_clock::now() + 8s;
    while (steady_clock::now() < until && !flooder.tcp.eof()) flooder.tcp.read_available();
  });
  const auto until = steady_clock::now() + 6s;
  std::size_t sent = 0;
  while (steady_clock::now() < until) {
    flooder.tcp.send(line + "\n");
    ++sent;
    if (sent % 50 == 0) peak = std::max(peak, resident_kib(one.process.pid()));
  }
  reader.join();
  peak = std::max(peak, resident_kib(one.process.pid()));
  redis_->process().signal(SIGCONT);
  EXPECT_GT(sent, 100u);
  EXPECT_LT(peak - before, 64 * 1024) << "KiB grown at the peak, " << sent << " lines sent";
  expect_clean_stop(one.process);
}

// Two event loops on one node, and another node: one order still, every loop delivering what
// came back from the bus (TSan runs this one).
class MultiLoopCluster : public ChatCluster {};

TEST_F(MultiLoopCluster, ChatWithTwoLoopsOnRedisKeepsOneOrder) {
  auto two_loops = node({"-threads", "2"});
  auto other = node();
  std::vector<Member> clients;
  for (int i = 0; i < 6; ++i) clients.push_back(join(i % 2 == 0 ? two_loops.port : other.port));
  for (auto& client : clients) {
    ASSERT_TRUE(&client == &clients.back() ||
                heard(client.tcp, clients.back().name + " has arrived", 5s));
  }
  for (int round = 0; round < 10; ++round) {
    for (auto& client : clients) client.tcp.send("round " + std::to_string(round) + "\n");
  }
  std::vector<std::vector<std::string>> heard_by;
  for (auto& client : clients) {
    heard_by.push_back(messages(client.tcp, 60, ": round "));
    ASSERT_EQ(heard_by.back().size(), 60u);
  }
  for (const auto& got : heard_by) EXPECT_EQ(got, heard_by.front());
  expect_clean_stop(two_loops.process);
  expect_clean_stop(other.process);
  expect_no_sanitizer_report(two_loops.process);
}

}  // namespace
}  // namespace e2e::chat_cluster
