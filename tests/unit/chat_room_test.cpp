// The chat's room on real event loops and loopback sockets: the broadcaster and each loop's
// room, a client's gathered flush, and its writer; the room of a node on a bus, fed the bus's
// frames by the test.
#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/read.hpp>
#include <gtest/gtest.h>

#include "common/net/task_group.hpp"
#include "servers/chat/bus/room_bus.hpp"
#include "servers/chat/client/client_writer.hpp"
#include "servers/chat/room/broadcaster.hpp"
#include "servers/chat/room/loop_room.hpp"
#include "tests/unit/chat_lines.hpp"
#include "tests/unit/socket_pair.hpp"

namespace gonet {
namespace {

using namespace std::chrono_literals;

// How long a test waits for what it expects before it fails: a bound on a failure, never the
// wait itself, which ends as soon as what it waits for has happened.
constexpr auto kDeadline = 5s;

// Calls `step` until `done()` holds; fails, naming `what`, once kDeadline has passed.
template <class Done, class Step>
[[nodiscard]] testing::AssertionResult until(std::string_view what, Done done, Step step) {
  const auto give_up = std::chrono::steady_clock::now() + kDeadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) {
      return testing::AssertionFailure()
             << "no " << what << " within " << kDeadline.count() << " s";
    }
    step();
  }
  return testing::AssertionSuccess();
}

// until(), running what is ready on `io` in between. When nothing is, what the test waits for
// is on its way over loopback, or due on a timer: a moment's sleep, and look again.
template <class Done>
[[nodiscard]] testing::AssertionResult run_until(asio::io_context& io, std::string_view what,
                                                 Done done) {
  return until(what, done, [&io] {
    io.restart();
    if (io.poll() == 0) std::this_thread::sleep_for(100us);
  });
}

// Runs what is ready, and what that makes ready, until nothing is: for a test that something
// is not delivered, the loop has then sent whatever it was going to.
void run_until_idle(asio::io_context& io) {
  do {
    io.restart();
  } while (io.poll() > 0);
}

// A client of the room on a loopback connection: the server's end for the room, the other end
// for the test to read what it was sent.
struct Member {
  Member(asio::io_context& io, const std::string& name, std::size_t queue = 256)
      : pair(io), client(pair.server, name, queue, 1 << 20) {
    client.set_name(name);
    pair.client.non_blocking(true);
  }
  // Adds what has arrived to the inbox, without waiting.
  void collect() {
    char chunk[65536];
    for (;;) {
      std::error_code ec;
      const std::size_t n = pair.client.read_some(asio::buffer(chunk), ec);
      if (ec) break;
      inbox.append(chunk, n);
    }
  }
  std::size_t lines() const {
    return static_cast<std::size_t>(std::count(inbox.begin(), inbox.end(), '\n'));
  }
  // What has arrived so far and was not taken before, without waiting.
  std::string received() {
    collect();
    return std::exchange(inbox, {});
  }
  // Runs `io` until `n` lines have arrived, and then until it is idle, and takes all that came:
  // a line too many shows as well.
  std::string receive(asio::io_context& io, std::size_t n) {
    EXPECT_TRUE(run_until(io, std::to_string(n) + " lines for " + client.name(),
                          [&] {
                            collect();
                            return lines() >= n;
                          }))
        << "got " << testing::PrintToString(inbox);
    run_until_idle(io);
    return received();
  }
  SocketPair pair;
  Client client;
  std::string inbox;
};

struct OneLoop {
  explicit OneLoop(bool names = false, bool raw = false)
      : broadcaster(names, raw), room(io.get_executor(), broadcaster) {
    asio::co_spawn(io, room.deliver(), asio::detached);
  }
  asio::io_context io;
  Broadcaster broadcaster;
  LoopRoom room;
};

TEST(ChatRoom, TellsANewcomerWhoItIsAndEveryoneElseThatItArrived) {
  OneLoop loop;
  Member a(loop.io, "127.0.0.1:1000"), b(loop.io, "127.0.0.1:2000");
  ASSERT_TRUE(loop.room.enter(a.client));
  EXPECT_EQ(a.receive(loop.io, 1), "You are 127.0.0.1:1000\n");
  ASSERT_TRUE(loop.room.enter(b.client));
  EXPECT_EQ(b.receive(loop.io, 1), "You are 127.0.0.1:2000\n")
      << "a newcomer hears not of its own arrival";
  EXPECT_EQ(a.receive(loop.io, 1), "127.0.0.1:2000 has arrived\n");
  loop.broadcaster.broadcast(b.client, "hi");
  EXPECT_EQ(a.receive(loop.io, 1), "127.0.0.1:2000: hi\n");
  EXPECT_EQ(b.receive(loop.io, 1), "127.0.0.1:2000: hi\n") << "the sender gets its own line too";
  loop.room.leave(b.client);
  EXPECT_EQ(a.receive(loop.io, 1), "127.0.0.1:2000 has left\n");
  EXPECT_TRUE(b.client.queue().closed());
  EXPECT_EQ(b.received(), "") << "the leaver hears not of its own leaving";
}

TEST(ChatRoom, InARoundOfSeveralEventsEachClientGetsItsOwnPartInOrder) {
  // All of it in one round: the round's lines are shared, and each client gets the part after
  // its arrival and before its leaving.
  OneLoop loop;
  Member a(loop.io, "a"), b(loop.io, "b"), c(loop.io, "c");
  ASSERT_TRUE(loop.room.enter(a.client));
  a.receive(loop.io, 1);
  ASSERT_TRUE(loop.room.enter(b.client));
  loop.broadcaster.broadcast(a.client, "one");
  ASSERT_TRUE(loop.room.enter(c.client));
  loop.broadcaster.broadcast(b.client, "two");
  loop.room.leave(a.client);
  loop.broadcaster.broadcast(c.client, "three");
  EXPECT_EQ(a.receive(loop.io, 4), "b has arrived\na: one\nc has arrived\nb: two\n");
  EXPECT_EQ(b.receive(loop.io, 6),
            "You are b\na: one\nc has arrived\nb: two\na has left\nc: three\n");
  EXPECT_EQ(c.receive(loop.io, 4), "You are c\nb: two\na has left\nc: three\n");
}

TEST(ChatRoom, WithNamesTellsANewcomerWhoIsPresentInArrivalOrder) {
  OneLoop loop(/*names=*/true);
  Member zed(loop.io, "zed"), alice(loop.io, "alice"), bob(loop.io, "bob");
  loop.room.enter(zed.client);
  EXPECT_EQ(zed.receive(loop.io, 2), "You are zed\nPresent: nobody\n");
  loop.room.enter(alice.client);
  loop.room.enter(bob.client);
  EXPECT_EQ(bob.receive(loop.io, 2), "You are bob\nPresent: zed, alice\n");
  loop.room.leave(zed.client);
  Member carol(loop.io, "carol");
  loop.room.enter(carol.client);
  EXPECT_EQ(carol.receive(loop.io, 2), "You are carol\nPresent: alice, bob\n");
}

TEST(ChatRoom, PresentNamesTheFirstHundredAndCountsTheRest) {
  OneLoop loop(/*names=*/true);
  std::vector<std::unique_ptr<Member>> crowd;
  std::string expected = "You are newcomer\nPresent: ";
  for (int i = 0; i < 130; ++i) {
    crowd.push_back(std::make_unique<Member>(loop.io, "m" + std::to_string(i)));
    ASSERT_TRUE(loop.room.enter(crowd.back()->client));
    if (i < 100) expected += (i > 0 ? ", m" : "m") + std::to_string(i);
  }
  expected += ", and 30 more\n";
  Member newcomer(loop.io, "newcomer");
  loop.room.enter(newcomer.client);
  EXPECT_EQ(newcomer.receive(loop.io, 2), expected);
}

TEST(ChatRoom, RefusesANameThatIsTakenOrLooksLikeOne) {
  OneLoop loop(/*names=*/true);
  Member alice(loop.io, "alice");
  ASSERT_TRUE(loop.room.enter(alice.client));
  for (const std::string name : {"alice", "ALICE", "Alice", "a1ice", "aIice"}) {
    Member other(loop.io, name);
    EXPECT_FALSE(loop.room.enter(other.client)) << name;
  }
  Member ace(loop.io, "ace");
  ASSERT_TRUE(loop.room.enter(ace.client));
  Member cyrillic(loop.io, "асе");
  EXPECT_FALSE(loop.room.enter(cyrillic.client)) << "all-Cyrillic look-alike";
  EXPECT_EQ(alice.receive(loop.io, 3), "You are alice\nPresent: nobody\nace has arrived\n")
      << "no arrival of the refused";
  // Once alice has left, her name and its look-alikes are free again.
  loop.room.leave(alice.client);
  Member again(loop.io, "ALICE");
  EXPECT_TRUE(loop.room.enter(again.client));
}

TEST(ChatRoom, WithoutNamesAnAddressIsTakenOnlyByItself) {
  OneLoop loop;
  Member a(loop.io, "127.0.0.1:1000"), b(loop.io, "127.0.0.1:1001");
  EXPECT_TRUE(loop.room.enter(a.client));
  EXPECT_TRUE(loop.room.enter(b.client)) << "a look-alike address is another client";
  Member same(loop.io, "127.0.0.1:1000");
  EXPECT_FALSE(loop.room.enter(same.client));
}

TEST(ChatRoom, ASlowClientSkipsMessagesAndNobodyElseDoes) {
  OneLoop loop;
  Member slow(loop.io, "slow", 3), fast(loop.io, "fast");
  loop.room.enter(slow.client);
  loop.room.enter(fast.client);
  slow.receive(loop.io, 2);
  fast.receive(loop.io, 1);
  // The slow one's writer is busy: whatever comes meanwhile waits in its queue, which holds 3.
  slow.client.set_writing(true);
  std::string expected;
  for (int i = 0; i < 10; ++i) {
    loop.broadcaster.broadcast(fast.client, std::to_string(i));
    expected += "fast: " + std::to_string(i) + "\n";
  }
  EXPECT_EQ(fast.receive(loop.io, 10), expected);
  slow.client.set_writing(false);
  slow.client.flush();
  EXPECT_EQ(slow.receive(loop.io, 4), "fast: 0\nfast: 1\nfast: 2\n(7 messages skipped)\n");
}

TEST(ChatRoom, AClientThatKeepsUpMissesNothingOfARoundBiggerThanItsQueue) {
  // 1,000 arrivals in one round to a member whose queue holds 256: its socket takes what the
  // queue cannot hold before anything is skipped.
  OneLoop loop;
  Member member(loop.io, "member");
  loop.room.enter(member.client);
  member.receive(loop.io, 1);
  std::vector<std::unique_ptr<Member>> crowd;
  for (int i = 0; i < 1000; ++i) {
    crowd.push_back(std::make_unique<Member>(loop.io, "127.0.0.1:" + std::to_string(10000 + i)));
    loop.room.enter(crowd.back()->client);
  }
  std::string expected;
  for (int i = 0; i < 1000; ++i)
    expected += "127.0.0.1:" + std::to_string(10000 + i) + " has arrived\n";
  EXPECT_EQ(member.receive(loop.io, 1000), expected);
  EXPECT_EQ(member.client.queue().skipped(), 0u);
}

// ---- a client's gathered flush ----------------------------------------------------------------

TEST(ChatClient, AQueueOfManyMessagesLeavesInOneSend) {
  asio::io_context io;
  Member member(io, "member", 1000);
  std::string expected;
  for (int i = 0; i < 300; ++i) {
    const auto line = text("127.0.0.1:" + std::to_string(20000 + i) + " has arrived");
    member.client.deliver(line);
    expected += *line;
  }
  EXPECT_EQ(member.client.flush(), 1u) << "one sendmsg for 300 messages";
  EXPECT_TRUE(member.client.queue().empty());
  EXPECT_EQ(member.receive(io, 300), expected);
  EXPECT_EQ(member.client.flush(), 0u) << "nothing waits: no send";
}

TEST(ChatClient, ASocketThatTookPartOfAFlushIsLeftToTheWriterUntilTheQueueIsEmpty) {
  // A client that does not read costs no send per message after its socket is full: the writer
  // waits for the socket, and the rounds only queue (and then skip) for it.
  asio::io_context io;
  SocketPair pair(io);
  Client client(pair.server, "full", 10000, 64 << 20);
  const auto big = text(std::string(1 << 20, 'x'));
  for (int i = 0; i < 16; ++i) client.deliver(big);  // more than loopback buffers hold
  EXPECT_EQ(client.flush(), 1u);
  ASSERT_FALSE(client.queue().empty());
  for (int i = 0; i < 10; ++i) {
    client.deliver(text("more"));
    EXPECT_EQ(client.flush(), 0u) << "the socket is the writer's until the queue is empty";
  }
}

asio::awaitable<void> write_for(Client& client, std::chrono::nanoseconds timeout,
                                std::vector<std::error_code>& failures) {
  co_await client_writer(client, timeout,
                         [&failures](std::error_code why) { failures.push_back(why); });
}

// `n` bytes from `socket`, or fewer if they do not come within `timeout`.
std::string read_for(asio::ip::tcp::socket& socket, std::size_t n,
                     std::chrono::milliseconds timeout) {
  socket.non_blocking(true);
  std::string got;
  char chunk[65536];
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (got.size() < n && std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    const std::size_t read = socket.read_some(asio::buffer(chunk), ec);
    if (ec == asio::error::would_block) {
      std::this_thread::sleep_for(1ms);
    } else if (ec) {
      break;
    }
    got.append(chunk, read);
  }
  return got;
}

TEST(ChatClient, APartialSendResumesMidLineAndEveryLineArrivesWholeInOrder) {
  asio::io_context io;
  SocketPair pair(io);
  Client client(pair.server, "slow", 10000, 64 << 20);
  std::vector<std::error_code> failures;
  TaskGroup writer(io.get_executor());
  writer.spawn(write_for(client, 5s, failures));
  run_until_idle(io);  // the writer waits
  // Far more than the socket buffers hold, in lines of odd lengths: the flush sends what the
  // socket takes, stopping inside a line, and the writer sends the rest.
  std::string expected;
  for (int i = 0; i < 2000; ++i) {
    const auto line = text(std::to_string(i) + " " + std::string(4000 + i % 97, 'a' + i % 26));
    client.deliver(line);
    expected += *line;
  }
  client.flush();
  EXPECT_FALSE(client.queue().empty()) << "the socket took it all: nothing was partial";
  client.close();
  // Until the writer has ended, which leaves the loop nothing to do; kDeadline at most.
  std::thread runner([&io] { io.run_for(kDeadline); });
  const std::string received = read_for(pair.client, expected.size(), 10s);
  runner.join();
  EXPECT_TRUE(received == expected)
      << "the bytes differ (" << received.size() << " of " << expected.size() << ")";
  EXPECT_TRUE(failures.empty());
  EXPECT_EQ(writer.size(), 0u);
}

TEST(ChatClientWriter, WritesWhatWasQueuedThenTheSkippedNoticeThenEnds) {
  asio::io_context io;
  SocketPair pair(io);
  Client client(pair.server, "slow", 4, 1 << 20);
  std::vector<std::error_code> failures;
  // Ten messages while the socket is taken: four fit, six are skipped.
  client.set_writing(true);
  for (int i = 0; i < 10; ++i) client.deliver(text("line " + std::to_string(i)));
  client.set_writing(false);
  client.flush();
  TaskGroup writer(io.get_executor());
  writer.spawn(write_for(client, 5s, failures));
  run_until_idle(io);
  client.deliver(text("after"));
  client.flush();
  client.close();
  ASSERT_TRUE(run_until(io, "end of the writer", [&] { return writer.size() == 0; }));
  pair.server.shutdown(asio::ip::tcp::socket::shutdown_send);
  std::string received;
  std::error_code ec;
  asio::read(pair.client, asio::dynamic_buffer(received), ec);
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_EQ(received, "line 0\nline 1\nline 2\nline 3\n(6 messages skipped)\nafter\n");
  EXPECT_TRUE(failures.empty());
}

TEST(ChatClientWriter, GivesUpOnAClientWhoseWriteIsStuckPastTheTimeout) {
  asio::io_context io;
  SocketPair pair(io);
  Client client(pair.server, "stuck", 256, 1 << 30);
  std::vector<std::error_code> failures;
  TaskGroup writer(io.get_executor());
  writer.spawn(write_for(client, 300ms, failures));
  // Far more than loopback buffers hold, and the client never reads.
  const auto big = text(std::string(1 << 20, 'x'));
  for (int i = 0; i < 64; ++i) {
    client.deliver(big);
    client.flush();
    run_until_idle(io);
  }
  ASSERT_TRUE(run_until(io, "timeout of the stuck write", [&] { return !failures.empty(); }));
  run_until_idle(io);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0], asio::error::timed_out);
  EXPECT_EQ(writer.size(), 1u) << "the writer waits for the close";
  EXPECT_TRUE(client.queue().empty());
  client.close();
  EXPECT_TRUE(run_until(io, "end of the writer", [&] { return writer.size() == 0; }));
}

// ---- several event loops --------------------------------------------------------------------

TEST(MultiLoop, ChatRoomHandsEveryLoopOneOrder) {
  // Two loops on two threads, four members on each, and every member saying 200 lines at once
  // from its own loop: every member gets the same 1,600 lines in the same order.
  constexpr int kPerLoop = 4;
  constexpr int kLines = 200;
  Broadcaster broadcaster(false);
  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<std::unique_ptr<LoopRoom>> rooms;
  std::vector<std::unique_ptr<Member>> members;
  for (int l = 0; l < 2; ++l) {
    loops.push_back(std::make_unique<asio::io_context>(1));
    rooms.push_back(std::make_unique<LoopRoom>(loops[l]->get_executor(), broadcaster));
    asio::co_spawn(*loops[l], rooms[l]->deliver(), asio::detached);
    for (int i = 0; i < kPerLoop; ++i) {
      members.push_back(
          std::make_unique<Member>(*loops[l], "127.0.0.1:" + std::to_string(l * 100 + i)));
      ASSERT_TRUE(rooms[l]->enter(members.back()->client));
    }
  }
  const auto say_all = [&](int l) -> asio::awaitable<void> {
    for (int line = 0; line < kLines; ++line) {
      const std::string said = std::to_string(line);
      for (int i = 0; i < kPerLoop; ++i) {
        co_await rooms[l]->say(members[l * kPerLoop + i]->client, said);
      }
    }
  };
  // What members said, of all a member got (arrivals too).
  const auto said_lines = [](const std::string& got) {
    std::vector<std::string> lines;
    for (std::size_t start = 0, end; (end = got.find('\n', start)) != std::string::npos;
         start = end + 1) {
      const std::string line = got.substr(start, end - start);
      if (line.find(": ") != std::string::npos) lines.push_back(line);
    }
    return lines;
  };
  for (int l = 0; l < 2; ++l) asio::co_spawn(*loops[l], say_all(l), asio::detached);
  {
    std::vector<std::jthread> threads;
    for (auto& loop : loops) threads.emplace_back([&loop] { loop->run(); });
    EXPECT_TRUE(until(
        "1,600 lines for every member",
        [&] {
          return std::all_of(members.begin(), members.end(), [&](auto& member) {
            member->collect();
            return said_lines(member->inbox).size() >= std::size_t{2 * kPerLoop * kLines};
          });
        },
        [] { std::this_thread::sleep_for(1ms); }));
    for (auto& loop : loops) loop->stop();
  }
  std::vector<std::vector<std::string>> seen;
  for (auto& member : members) seen.push_back(said_lines(member->received()));
  for (std::size_t m = 0; m < seen.size(); ++m) {
    ASSERT_EQ(seen[m].size(), std::size_t{2 * kPerLoop * kLines}) << "member " << m;
    EXPECT_EQ(seen[m], seen[0]) << "member " << m << " saw another order";
  }
}

TEST(MultiLoop, ChatRoomHoldsSendersBackWhileALoopIsFarBehind) {
  // A loop that does not run takes nothing: once thousands of lines wait for it, the room is
  // congested and a sender on the other loop waits; when the slow loop takes them, it goes on.
  Broadcaster broadcaster(false);
  asio::io_context running, stalled;
  LoopRoom fast(running.get_executor(), broadcaster), slow(stalled.get_executor(), broadcaster);
  asio::co_spawn(running, fast.deliver(), asio::detached);
  Member sender(running, "x");
  int said = 0;
  const auto flood = [&]() -> asio::awaitable<void> {
    for (; said < 10000; ++said) {
      const std::string line = std::to_string(said);
      co_await fast.say(sender.client, line);
    }
  };
  asio::co_spawn(running, flood(), asio::detached);
  ASSERT_TRUE(run_until(running, "congestion", [&] { return broadcaster.congested(); }));
  run_until_idle(running);
  EXPECT_TRUE(broadcaster.congested());
  EXPECT_LT(said, 5000) << "the sender went on while a loop was far behind";
  const int held_at = said;
  // The slow loop takes what waits for it: the sender goes on.
  asio::co_spawn(stalled, slow.deliver(), asio::detached);
  ASSERT_TRUE(run_until(stalled, "end of congestion", [&] { return !broadcaster.congested(); }));
  EXPECT_TRUE(run_until(running, "line more from the sender", [&] { return said > held_at; }));
}

// A node's room on a bus that never reaches Redis: what the node publishes goes nowhere, and
// what the bus hands back (checked, typed events) is the test's to choose, in its order.
BusOptions nowhere() {
  BusOptions options;
  options.redis.address.transport = RedisAddress::Transport::unix_socket;
  options.redis.address.path = "/nonexistent/redis.sock";
  options.room = "test";
  options.keys = std::make_shared<const RoomKeys>(std::vector<std::string>{std::string(32, 'k')});
  return options;
}

struct NodeOnABus : OneLoop {
  explicit NodeOnABus(bool names = false, bool raw = false)
      : OneLoop(names, raw), bus(nowhere(), broadcaster) {
    broadcaster.attach(bus);
    never_run = bus.run(io.get_executor());  // the executor the node publishes to; not spawned
    broadcaster.bus_up();
  }
  // An event of `node`'s, handed to the room as the bus would.
  void hear(const std::string& node, BusEvent event, std::uint64_t missed = 0) {
    broadcaster.from_bus(node, node == bus.node(), event, missed);
    run_until_idle(io);
  }
  RoomBus bus;
  asio::awaitable<void> never_run;
};

BusEvent arrived(std::uint64_t id, const std::string& name) {
  return BusEvent{BusEvent::Arrived{BusMember{id, name}}};
}
BusEvent left(std::uint64_t id) { return BusEvent{BusEvent::Left{id}}; }
BusEvent said(std::uint64_t id, const std::string& text) {
  return BusEvent{BusEvent::Said{id, text}};
}
BusEvent roll(std::vector<BusMember> members, std::uint64_t first = 0,
              std::uint64_t last = std::numeric_limits<std::uint64_t>::max()) {
  return BusEvent{BusEvent::Roll{first, last, std::move(members)}};
}
BusEvent evicted(const std::string& node) { return BusEvent{BusEvent::Evicted{node}}; }

// A leaving the bus skipped (its backlog was full) is mended by the node's next heartbeat, which
// no longer lists the leaver: at that heartbeat on every node, its own included, so that all of
// them put the leaving at one place in the room's order.
TEST(ChatRoomOnABus, ALeavingTheBusSkippedIsAnnouncedAtTheNextHeartbeatOnEveryNode) {
  NodeOnABus home, away;
  const std::string node = home.bus.node();
  Member alice(home.io, "127.0.0.1:1000"), bob(home.io, "127.0.0.1:2000");
  Member carol(away.io, "127.0.0.1:3000");
  ASSERT_TRUE(away.room.enter(carol.client));
  for (NodeOnABus* each : {&home, &away})
    each->hear(away.bus.node(), arrived(1, carol.client.name()));
  EXPECT_EQ(carol.receive(away.io, 1), "You are 127.0.0.1:3000\n");
  ASSERT_TRUE(home.room.enter(alice.client));
  ASSERT_TRUE(home.room.enter(bob.client));
  for (NodeOnABus* each : {&home, &away}) {
    each->hear(node, arrived(1, alice.client.name()));
    each->hear(node, arrived(2, bob.client.name()));
  }
  EXPECT_EQ(alice.receive(home.io, 2), "You are 127.0.0.1:1000\n127.0.0.1:2000 has arrived\n");
  EXPECT_EQ(carol.receive(away.io, 2), "127.0.0.1:1000 has arrived\n127.0.0.1:2000 has arrived\n");
  home.room.leave(bob.client);  // its frame never comes back
  run_until_idle(home.io);
  EXPECT_EQ(alice.received(), "") << "the others hear a leaving when the bus says it";
  for (NodeOnABus* each : {&home, &away}) {
    each->hear(node, roll({{1, alice.client.name()}}));
    each->hear(away.bus.node(), said(1, "after"));
  }
  EXPECT_EQ(alice.receive(home.io, 2), "127.0.0.1:2000 has left\n127.0.0.1:3000: after\n");
  EXPECT_EQ(carol.receive(away.io, 2), "127.0.0.1:2000 has left\n127.0.0.1:3000: after\n");
  // Its name is free again on its own node.
  Member again(home.io, "127.0.0.1:2000");
  EXPECT_TRUE(home.room.enter(again.client));
}

// A heartbeat lists a node's clients as they are after every frame it published before it: one
// that arrived later is not in it yet, and one that left later is still in it. Neither is
// announced at that heartbeat, but at its own frame.
TEST(ChatRoomOnABus, AHeartbeatAnnouncesNothingOfWhatCameAfterIt) {
  NodeOnABus home;
  const std::string node = home.bus.node();
  Member alice(home.io, "127.0.0.1:1000"), bob(home.io, "127.0.0.1:2000");
  Member dave(home.io, "127.0.0.1:4000");
  ASSERT_TRUE(home.room.enter(alice.client));
  ASSERT_TRUE(home.room.enter(bob.client));
  home.hear(node, arrived(1, alice.client.name()));
  home.hear(node, arrived(2, bob.client.name()));
  EXPECT_EQ(alice.receive(home.io, 2), "You are 127.0.0.1:1000\n127.0.0.1:2000 has arrived\n");
  ASSERT_TRUE(home.room.enter(dave.client));  // arrives, and bob leaves, after the heartbeat
  home.room.leave(bob.client);
  run_until_idle(home.io);
  home.hear(node, roll({{1, alice.client.name()}, {2, bob.client.name()}}));
  EXPECT_EQ(alice.received(), "");
  EXPECT_EQ(dave.received(), "") << "not in before its arrival comes back";
  home.hear(node, arrived(3, dave.client.name()));
  home.hear(node, left(2));
  EXPECT_EQ(alice.receive(home.io, 2), "127.0.0.1:4000 has arrived\n127.0.0.1:2000 has left\n");
  EXPECT_EQ(dave.receive(home.io, 2), "You are 127.0.0.1:4000\n127.0.0.1:2000 has left\n");
}

// A heartbeat in parts: each speaks for the ids in its range and no others.
TEST(ChatRoomOnABus, AHeartbeatsPartSpeaksOnlyForTheIdsInItsRange) {
  NodeOnABus home;
  Member alice(home.io, "127.0.0.1:1000");
  ASSERT_TRUE(home.room.enter(alice.client));
  home.hear(home.bus.node(), arrived(1, alice.client.name()));
  for (std::uint64_t id = 1; id <= 4; ++id)
    home.hear("other", arrived(id, "m" + std::to_string(id)));
  alice.receive(home.io, 5);
  home.hear("other", roll({{1, "m1"}}, 0, 2));  // 2 is gone; 3 and 4 are not this part's
  EXPECT_EQ(alice.receive(home.io, 1), "m2 has left\n");
  home.hear("other", roll({{4, "m4"}, {5, "m5"}}, 3));
  EXPECT_EQ(alice.receive(home.io, 2), "m3 has left\nm5 has arrived\n");
}

// A dead node's eviction: every client of it leaves, in the order they arrived, and no other.
TEST(ChatRoomOnABus, AnEvictionTakesEveryClientOfTheDeadNodeAndNoOther) {
  NodeOnABus home;
  Member alice(home.io, "127.0.0.1:1000");
  ASSERT_TRUE(home.room.enter(alice.client));
  home.hear(home.bus.node(), arrived(1, alice.client.name()));
  std::string arrivals, leavings;
  for (std::uint64_t i = 1; i <= 6; ++i) {  // two other nodes' clients, taking turns
    const std::string node = i % 2 == 0 ? "dead" : "alive";
    const std::string name = node + std::to_string(i);
    home.hear(node, arrived(i, name));
    arrivals += name + " has arrived\n";
    if (node == "dead") leavings += name + " has left\n";
  }
  EXPECT_EQ(alice.receive(home.io, 7), "You are 127.0.0.1:1000\n" + arrivals);
  home.hear("alive", evicted("dead"));
  EXPECT_EQ(alice.receive(home.io, 3), leavings);
  home.hear("alive", evicted("dead"));
  EXPECT_EQ(alice.received(), "") << "once";
  home.hear("alive", said(1, "still here"));
  EXPECT_EQ(alice.receive(home.io, 1), "alive1: still here\n") << "no leaving again before it";
}

// Another node's text is made safe where it is delivered, as a client's own is, unless -raw; a
// line of a client this node never heard arrive is dropped, never anonymous text.
TEST(ChatRoomOnABus, AnotherNodesLinesAreMadeSafeHereAndOnlyMembersSpeak) {
  for (const bool raw : {false, true}) {
    NodeOnABus home(false, raw);
    Member alice(home.io, "127.0.0.1:1000");
    ASSERT_TRUE(home.room.enter(alice.client));
    home.hear(home.bus.node(), arrived(1, alice.client.name()));
    home.hear("other", arrived(7, "127.0.0.1:7000"));
    alice.receive(home.io, 2);
    home.hear("other", said(7, "\x1b]0;owned\a\u202eevil"));
    EXPECT_EQ(alice.receive(home.io, 1), raw ? "127.0.0.1:7000: \x1b]0;owned\a\u202eevil\n"
                                             : "127.0.0.1:7000: \\x1b]0;owned\\a\\u202eevil\n");
    EXPECT_FALSE(home.broadcaster.from_bus("other", false, said(8, "who am I"), 0));
    EXPECT_FALSE(home.broadcaster.from_bus("stranger", false, said(1, "nor I"), 0));
    // A member's next line comes next: nothing of those two came before it.
    home.hear("other", said(7, "only I"));
    EXPECT_EQ(alice.receive(home.io, 1), "127.0.0.1:7000: only I\n");
  }
}

// With -names, a name is the room's while anyone holds it: another node's arrival and leaving of
// the same name (two nodes that admitted it while cut off, or a key holder gone wrong) do not
// free it while ours is here.
TEST(ChatRoomOnABus, ANameStaysTakenWhileAnyoneHoldsIt) {
  NodeOnABus home(/*names=*/true);
  Member alice(home.io, "alice");
  ASSERT_TRUE(home.room.enter(alice.client));
  home.hear(home.bus.node(), arrived(1, "alice"));
  home.hear("other", arrived(1, "alice"));
  home.hear("other", left(1));
  Member second(home.io, "alice");
  EXPECT_FALSE(home.room.enter(second.client)) << "ours is still here";
  Member lookalike(home.io, "ALICE");
  EXPECT_FALSE(home.room.enter(lookalike.client));
  home.room.leave(alice.client);
  home.hear(home.bus.node(), left(1));
  EXPECT_TRUE(home.room.enter(second.client)) << "free once the last holder is gone";
}

// What waits for the bus's loop is bounded: while that loop does not get round to them, the other
// loops' frames wait up to 16 MiB; past that they are skipped (and their numbers with them), and
// once the loop has caught up they are taken again.
TEST(ChatRoomOnABus, FramesWaitingForTheBussLoopStopAt16MiB) {
  OneLoop node;
  asio::io_context bus_loop;
  RoomBus bus(nowhere(), node.broadcaster);
  auto never_run = bus.run(bus_loop.get_executor());
  // "1 <TAB> line": each frame's text a mebibyte.
  const std::string line(1024 * 1024 - 2, 'x');
  for (int i = 0; i < 20; ++i) bus.publish_said(1, line);
  EXPECT_EQ(bus_loop.poll(), 16u);
  bus_loop.restart();  // out of work, it stopped
  bus.publish_said(1, line);
  EXPECT_EQ(bus_loop.poll(), 1u);
}

}  // namespace
}  // namespace gonet
