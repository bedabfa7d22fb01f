// The chat's broadcaster parts on a real event loop: the room, select over the three channels,
// and a client's writer over a loopback connection.
#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/read.hpp>
#include <asio/read_until.hpp>
#include <gtest/gtest.h>

#include "common/net/awaitable.hpp"
#include "common/net/task_group.hpp"
#include "servers/chat/channels.hpp"
#include "servers/chat/client_writer.hpp"
#include "servers/chat/room.hpp"
#include "tests/unit/socket_pair.hpp"

namespace gonet {
namespace {

using namespace std::chrono_literals;

Message text(const std::string& line) { return std::make_shared<const std::string>(line + "\n"); }

// What is queued for `client`, as it would read it, taken out of its queue.
std::string queued(Client& client) {
  std::string out;
  OutgoingQueue& queue = client.queue();
  while (!queue.empty()) {
    for (const Outgoing& entry : queue.start_writing(1000, 1 << 30)) {
      out += entry.message ? *entry.message : "(" + std::to_string(entry.skipped) + ")\n";
    }
    queue.written();
  }
  return out;
}

struct Named : Client {
  Named(asio::io_context& io, const std::string& name, std::size_t queue = 256)
      : Client(io.get_executor(), name, queue, 1 << 20) {
    set_name(name);
  }
};

TEST(ChatRoom, TellsANewcomerWhoItIsAndEveryoneElseThatItArrived) {
  asio::io_context io;
  Room room(false);
  Named a(io, "127.0.0.1:1000"), b(io, "127.0.0.1:2000");
  room.enter(a);
  EXPECT_EQ(queued(a), "You are 127.0.0.1:1000\n");
  room.enter(b);
  EXPECT_EQ(queued(b), "You are 127.0.0.1:2000\n") << "a newcomer hears not of its own arrival";
  EXPECT_EQ(queued(a), "127.0.0.1:2000 has arrived\n");
  room.broadcast(text("127.0.0.1:2000: hi"));
  EXPECT_EQ(queued(a), "127.0.0.1:2000: hi\n");
  EXPECT_EQ(queued(b), "127.0.0.1:2000: hi\n") << "the sender gets its own line too";
  room.leave(b);
  EXPECT_EQ(queued(a), "127.0.0.1:2000 has left\n");
  EXPECT_TRUE(b.queue().closed());
  EXPECT_EQ(queued(b), "") << "the leaver hears not of its own leaving";
  EXPECT_EQ(room.size(), 1u);
}

TEST(ChatRoom, WithNamesTellsANewcomerWhoIsPresentInArrivalOrder) {
  asio::io_context io;
  Room room(true);
  Named zed(io, "zed"), alice(io, "alice"), bob(io, "bob");
  room.enter(zed);
  EXPECT_EQ(queued(zed), "You are zed\nPresent: nobody\n");
  room.enter(alice);
  room.enter(bob);
  EXPECT_EQ(queued(bob), "You are bob\nPresent: zed, alice\n");
  room.leave(zed);
  Named carol(io, "carol");
  room.enter(carol);
  EXPECT_EQ(queued(carol), "You are carol\nPresent: alice, bob\n");
}

asio::awaitable<void> note_answer(Client& client, std::vector<bool>& answers) {
  answers.push_back(co_await client.admitted());
}

TEST(ChatRoom, RefusesANameThatIsTaken) {
  asio::io_context io;
  Room room(true);
  Named first(io, "alice"), second(io, "alice");
  std::vector<bool> answers;
  room.enter(first);
  asio::co_spawn(io, note_answer(first, answers), asio::detached);
  io.run_for(100ms);
  room.enter(second);
  io.restart();
  asio::co_spawn(io, note_answer(second, answers), asio::detached);
  io.run_for(100ms);
  EXPECT_EQ(answers, (std::vector<bool>{true, false}));
  EXPECT_EQ(queued(second), "") << "the refused client is told by its session, not the room";
  EXPECT_EQ(room.size(), 1u);
  EXPECT_EQ(queued(first), "You are alice\nPresent: nobody\n") << "no arrival of the refused";
}

TEST(ChatRoom, ASlowClientSkipsMessagesAndNobodyElseDoes) {
  asio::io_context io;
  Room room(false);
  Named slow(io, "slow", 3), fast(io, "fast");
  room.enter(slow);
  room.enter(fast);
  queued(slow);
  queued(fast);
  std::string expected;
  for (int i = 0; i < 10; ++i) {
    room.broadcast(text("fast: " + std::to_string(i)));
    expected += "fast: " + std::to_string(i) + "\n";
  }
  EXPECT_EQ(queued(fast), expected);
  EXPECT_EQ(queued(slow), "fast: 0\nfast: 1\nfast: 2\n(7)\n");
}

// ---- select ----------------------------------------------------------------------------------

asio::awaitable<void> send_messages(Channels& channels, std::string who, int count) {
  for (int i = 0; i < count; ++i) {
    co_await channels.messages.async_send(std::error_code{}, text(who + std::to_string(i)),
                                          use_nothrow);
  }
}

asio::awaitable<void> say_then_leave(Channels& channels, Client& client) {
  co_await channels.entering.async_send(std::error_code{}, &client, use_nothrow);
  co_await channels.messages.async_send(std::error_code{}, text("last words of " + client.name()),
                                        use_nothrow);
  co_await channels.leaving.async_send(std::error_code{}, &client, use_nothrow);
}

// Takes `n` values and notes each as "entering NAME", "leaving NAME" or the message's text.
asio::awaitable<void> take(Channels& channels, std::size_t n, std::vector<std::string>& log) {
  while (log.size() < n) {
    const Selected selected = co_await select(channels);
    for (const Received& got : selected) {
      switch (got.from) {
        case Received::From::entering:
          log.push_back("entering " + got.client->name());
          break;
        case Received::From::leaving:
          log.push_back("leaving " + got.client->name());
          break;
        case Received::From::messages:
          log.push_back(got.message->substr(0, got.message->size() - 1));
          break;
      }
    }
  }
}

TEST(ChatSelect, KeepsTheOrderInWhichAClientSentOnDifferentChannels) {
  // However the three channels' completions interleave, a client's message comes before its
  // leaving. The broadcaster starts before, among or after ten clients: a value is then taken by
  // a waiting receive, or a receive takes a waiting send, whose completions come in either order.
  for (int round = 0; round <= 10; ++round) {
    asio::io_context io;
    Channels channels(io.get_executor());
    std::vector<std::unique_ptr<Named>> clients;
    std::vector<std::string> log;
    for (int i = 0; i <= 10; ++i) {
      if (i == round) asio::co_spawn(io, take(channels, 30, log), asio::detached);
      if (i == 10) break;
      clients.push_back(std::make_unique<Named>(io, "c" + std::to_string(i)));
      asio::co_spawn(io, say_then_leave(channels, *clients.back()), asio::detached);
    }
    io.run_for(2s);
    ASSERT_EQ(log.size(), 30u) << "round " << round;
    for (int i = 0; i < 10; ++i) {
      const std::string name = "c" + std::to_string(i);
      const auto at = [&](const std::string& what) {
        return std::find(log.begin(), log.end(), what) - log.begin();
      };
      EXPECT_LT(at("entering " + name), at("last words of " + name)) << "round " << round;
      EXPECT_LT(at("last words of " + name), at("leaving " + name)) << "round " << round;
    }
  }
}

TEST(ChatSelect, KeepsTheOrderOfOneClientAlone) {
  asio::io_context io;
  Channels channels(io.get_executor());
  Named client(io, "solo");
  std::vector<std::string> log;
  asio::co_spawn(io, take(channels, 3, log), asio::detached);
  asio::co_spawn(io, say_then_leave(channels, client), asio::detached);
  io.run_for(2s);
  EXPECT_EQ(log, (std::vector<std::string>{"entering solo", "last words of solo", "leaving solo"}));
}

TEST(ChatSelect, AFlooderWaitsItsTurnBehindTheOthers) {
  // One client sends 1,000 messages; two others one each, after it started. Senders wait in the
  // order they came, so the others' messages come within the first few, not after the flood.
  asio::io_context io;
  Channels channels(io.get_executor());
  std::vector<std::string> log;
  asio::co_spawn(io, send_messages(channels, "flood", 1000), asio::detached);
  asio::co_spawn(io, take(channels, 1002, log), asio::detached);
  asio::co_spawn(io, send_messages(channels, "one", 1), asio::detached);
  asio::co_spawn(io, send_messages(channels, "two", 1), asio::detached);
  io.run_for(5s);
  ASSERT_EQ(log.size(), 1002u);
  const auto one = std::find(log.begin(), log.end(), "one0") - log.begin();
  const auto two = std::find(log.begin(), log.end(), "two0") - log.begin();
  EXPECT_LT(one, 4);
  EXPECT_LT(two, 4);
  for (int i = 0, at = 0; i < 1000; ++i, ++at) {
    while (log[at] != "flood" + std::to_string(i)) ++at;  // in order, none lost
  }
}

// ---- straight to the socket ------------------------------------------------------------------

// What has arrived at `socket` so far, without waiting for more.
std::string available(asio::ip::tcp::socket& socket) {
  std::string got;
  std::error_code ec;
  while (socket.available(ec) > 0 && !ec) {
    char chunk[65536];
    got.append(chunk, socket.read_some(asio::buffer(chunk), ec));
  }
  return got;
}

TEST(ChatClient, AClientThatKeepsUpTakesEachMessageStraightIntoItsSocket) {
  asio::io_context io;
  SocketPair pair(io);
  Named client(io, "fast");
  client.write_straight_to(pair.server);
  client.deliver(text("one"));
  client.deliver_always(text("two"));
  client.deliver(text("three"));
  EXPECT_TRUE(client.queue().idle()) << "nothing queued, no writer needed";
  std::this_thread::sleep_for(20ms);  // loopback delivery
  EXPECT_EQ(available(pair.client), "one\ntwo\nthree\n");
}

asio::awaitable<void> write_for(asio::ip::tcp::socket& socket, Client& client,
                                std::chrono::nanoseconds timeout,
                                std::vector<std::error_code>& failures);

TEST(ChatClient, QueuesWhatTheSocketDidNotTakeAndTheWriterSendsItWholeInOrder) {
  asio::io_context io;
  SocketPair pair(io);
  // A reader that gives up rather than hang the test.
  const timeval ten_seconds{10, 0};
  ::setsockopt(pair.client.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &ten_seconds,
               sizeof ten_seconds);
  Client client(io.get_executor(), "slow", 1000, 64 << 20);
  client.write_straight_to(pair.server);
  std::vector<std::error_code> failures;
  TaskGroup writer(io.get_executor());
  writer.spawn(write_for(pair.server, client, 5s, failures));
  io.run_for(10ms);  // the writer waits
  // A message far bigger than the socket buffers: part of it goes at once, the rest is queued,
  // and the messages after it wait behind it.
  std::string expected;
  const std::string big(8 << 20, 'b');
  client.deliver(text(big));
  expected += big + "\n";
  EXPECT_FALSE(client.queue().idle());
  for (int i = 0; i < 5; ++i) {
    client.deliver(text("after " + std::to_string(i)));
    expected += "after " + std::to_string(i) + "\n";
  }
  client.close();
  std::thread runner([&io] { io.run_for(10s); });
  std::string received(expected.size(), '\0');
  std::error_code ec;
  asio::read(pair.client, asio::buffer(received), ec);
  runner.join();
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_TRUE(received == expected)
      << "the bytes differ (" << received.size() << " of " << expected.size() << ")";
  EXPECT_TRUE(failures.empty());
  EXPECT_EQ(writer.size(), 0u);
}

// ---- the client's writer ---------------------------------------------------------------------

asio::awaitable<void> write_for(asio::ip::tcp::socket& socket, Client& client,
                                std::chrono::nanoseconds timeout,
                                std::vector<std::error_code>& failures) {
  co_await client_writer(socket, client, timeout,
                         [&failures](std::error_code why) { failures.push_back(why); });
}

TEST(ChatClientWriter, WritesWhatWasQueuedThenTheSkippedNoticeThenEnds) {
  asio::io_context io;
  SocketPair pair(io);
  Named client(io, "slow", 4);
  std::vector<std::error_code> failures;
  // Ten messages before the writer ever runs: four fit, six are skipped.
  for (int i = 0; i < 10; ++i) client.deliver(text("line " + std::to_string(i)));
  asio::co_spawn(io, write_for(pair.server, client, 5s, failures), asio::detached);
  io.run_for(100ms);
  client.deliver(text("after"));
  client.close();
  io.restart();
  io.run_for(100ms);
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
  Named client(io, "stuck", 256);
  std::vector<std::error_code> failures;
  TaskGroup writer(io.get_executor());
  writer.spawn(write_for(pair.server, client, 300ms, failures));
  // Far more than loopback buffers hold, and the client never reads.
  const auto big = text(std::string(1 << 20, 'x'));
  for (int i = 0; i < 64; ++i) {
    client.deliver(big);
    io.restart();
    io.run_for(10ms);
  }
  io.restart();
  io.run_for(1s);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0], asio::error::timed_out);
  EXPECT_EQ(writer.size(), 1u) << "the writer waits for the close";
  EXPECT_TRUE(client.queue().empty());
  client.close();
  io.restart();
  io.run_for(100ms);
  EXPECT_EQ(writer.size(), 0u);
}

}  // namespace
}  // namespace gonet
