// chat, hardened (SPEC): names that cannot pass for another, text that cannot drive a terminal,
// -rate, -threads, and the attacks of issue 18 as tests with bounds. Real programs over loopback.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/chat_clients.hpp"
#include "tests/e2e/programs.hpp"

namespace e2e {
namespace {

using std::chrono::system_clock;
using namespace std::string_literals;

const std::string kNotAllowed = "name not allowed: use 1 to 32 letters, digits, '-', '_' or '.':";

// A client that has chosen `name` (-names) and been let in; the lines after "You are NAME" are
// left for the caller.
TcpClient named(std::uint16_t port, const std::string& name) {
  auto client = TcpClient::connect_from(next_member_source(), port);
  EXPECT_EQ(client.read_line(2s), "Enter your name:");
  client.send(name + "\n");
  EXPECT_EQ(client.read_line(2s), "You are " + name);
  return client;
}

TEST(ChatNames, RefusesNamesThatAreNotAllowedAndNamesThatLookLikeAPresentOne) {
  auto server = start_server("chat", {"-names"});
  auto alice = named(server.port, "alice");
  EXPECT_EQ(alice.read_line(2s), "Present: nobody");
  auto ace = named(server.port, "ace");
  EXPECT_EQ(ace.read_line(2s), "Present: alice");
  EXPECT_EQ(alice.read_line(2s), "ace has arrived");

  auto newcomer = TcpClient::connect(server.port);
  EXPECT_EQ(newcomer.read_line(2s), "Enter your name:");
  const std::vector<std::pair<std::string, std::string>> attempts = {
      {"alice\u200b", kNotAllowed},                        // a zero-width space
      {"\u0430lice", kNotAllowed},                         // a Cyrillic a among Latin letters
      {"zz\ralice", kNotAllowed},                          // a carriage return
      {"\x1b[1Aalice", kNotAllowed},                       // an escape sequence
      {"alice: hi", kNotAllowed},                          // a colon and a space
      {"alice\u202e", kNotAllowed},                        // a right-to-left override
      {std::string(33, 'x'), kNotAllowed},                 // 33 characters
      {std::string(64 * 1024, 'x'), kNotAllowed},          // 64 KiB
      {"ALICE", "name taken, try another:"},               // equal ignoring case
      {"a1ice", "name taken, try another:"},               // looks the same
      {"\u0430\u0441\u0435", "name taken, try another:"},  // all-Cyrillic "ace"
      {" \t ", "name must not be empty:"},
  };
  for (const auto& [name, answer] : attempts) {
    newcomer.send(name + "\n");
    EXPECT_EQ(newcomer.read_line(2s), answer) << "for a name of " << name.size() << " bytes";
  }
  // A name of 32 characters with a combining accent, put in NFC.
  const std::string jose = "Jos\u00e9" + std::string(28, 'x');
  newcomer.send(" Jose\u0301" + std::string(28, 'x') + " \r\n");
  EXPECT_EQ(newcomer.read_line(2s), "You are " + jose);
  EXPECT_EQ(newcomer.read_line(2s), "Present: alice, ace");
  EXPECT_EQ(alice.read_line(2s), jose + " has arrived") << "and nobody heard of the refused";
  expect_clean_stop(server.process);
}

TEST(ChatNames, RefusesNamesThatDrawAsAPresentOneInAnyCase) {
  // The probe's impersonations (issue 30): Hangul fillers, letters that draw as nothing, and
  // all-Cyrillic look-alikes with the palochka, whose skeleton is an i while its capital's is an l.
  auto server = start_server("chat", {"-names"});
  auto alice = named(server.port, "alice");
  EXPECT_EQ(alice.read_line(2s), "Present: nobody");
  std::vector<TcpClient> present;
  for (const std::string name : {"apple", "hello", "paypal"}) {
    present.push_back(named(server.port, name));
    present.back().read_line(2s);
  }
  auto newcomer = TcpClient::connect_from(next_member_source(), server.port);
  EXPECT_EQ(newcomer.read_line(2s), "Enter your name:");
  const std::string taken = "name taken, try another:";
  const std::vector<std::pair<std::string, std::string>> attempts = {
      {"alice\u1160", kNotAllowed},
      {"a\u1160lice", kNotAllowed},
      {"\u1160alice", kNotAllowed},
      {"alice\u3164", kNotAllowed},
      {"alice\uffa0", kNotAllowed},
      {"\u3164", kNotAllowed},
      {"\u1160", kNotAllowed},
      {"\u0430\u04cf\u0456\u0441\u0435", taken},
      {"\u0410\u04c0\u0406\u0421\u0415", taken},
      {"\u0430\u0440\u0440\u04cf\u0435", taken},
      {"\u04bb\u0435\u04cf\u04cf\u043e", taken},
      {"\u0440\u0430\u0443\u0440\u0430\u04cf", taken},
  };
  for (const auto& [name, answer] : attempts) {
    newcomer.send(name + "\n");
    EXPECT_EQ(newcomer.read_line(2s), answer) << "for " << name;
  }
  // Names of other scripts still pass.
  newcomer.send("\u0418\u0432\u0430\u043d\n");
  EXPECT_EQ(newcomer.read_line(2s), "You are \u0418\u0432\u0430\u043d");
  EXPECT_TRUE(heard(alice, "\u0418\u0432\u0430\u043d has arrived", 2s))
      << "and nobody heard of the refused";
  expect_clean_stop(server.process);
}

TEST(ChatNames, PresentNamesAtMostAHundredOthersThenHowManyMore) {
  auto server = start_server("chat", {"-names"});
  std::vector<TcpClient> crowd;
  std::string expected = "Present: ";
  for (int i = 0; i < 103; ++i) {
    crowd.push_back(named(server.port, "m" + std::to_string(i)));
    if (i < 100) expected += (i > 0 ? ", m" : "m") + std::to_string(i);
  }
  auto newcomer = named(server.port, "newcomer");
  EXPECT_EQ(newcomer.read_line(2s), expected + ", and 3 more");
  expect_clean_stop(server.process);
}

TEST(ChatText, RelayedTextCannotDriveATerminalUnlessRaw) {
  // Cursor up, erase the line, a title, a right-to-left override, invalid UTF-8: written as Go
  // quotes them, to the others and to the sender alike; tabs, backslashes and any printable
  // UTF-8 unchanged. -raw relays the book's bytes.
  const std::string hostile =
      "\r\x1b[2K\x1b[1Aalice: send me your password\x1b]0;owned\x07 \xe2\x80\xae"
      "drow\xff";
  const std::string quoted =
      R"(\r\x1b[2K\x1b[1Aalice: send me your password\x1b]0;owned\a \u202edrow\xff)";
  const std::string ordinary = "tab\there, C:\\x1b is text, \u00bfqu\u00e9? \u5c71\u7530";
  for (const bool raw : {false, true}) {
    auto server =
        start_server("chat", raw ? std::vector<std::string>{"-raw"} : std::vector<std::string>{});
    auto reader = join(server.port);
    auto sender = join(server.port);
    ASSERT_EQ(reader.tcp.read_line(2s), sender.name + " has arrived");
    sender.tcp.send(hostile + "\n" + ordinary + "\n");
    for (auto* member : {&reader, &sender}) {
      EXPECT_EQ(member->tcp.read_line(2s), sender.name + ": " + (raw ? hostile : quoted))
          << (raw ? "-raw" : "by default");
      EXPECT_EQ(member->tcp.read_line(2s), sender.name + ": " + ordinary);
    }
    expect_clean_stop(server.process);
  }
}

TEST(ChatRate, TakesAPasteAtTheRateInOrderAndTheOthersAreUnaffected) {
  // -rate 20: a 300-line paste passes its first 100 lines at once (the burst), then 20 a second:
  // all 300 arrive, in order, over about 10 s; meanwhile another client's lines come back at
  // once. Nothing is lost: the rest waits in the paster's socket.
  constexpr int kLines = 300;
  constexpr auto kOnTime = kSanitized ? 200ms : 100ms;
  auto server = start_server("chat", {"-rate", "20"});
  auto paster = join(server.port);
  auto polite = join(server.port);
  auto watcher = join(server.port);
  std::string paste;
  for (int i = 0; i < kLines; ++i) paste += "pasted line " + std::to_string(i) + "\n";
  const auto start = steady_clock::now();
  paster.tcp.send(paste);
  std::vector<std::string> seen;
  std::optional<steady_clock::time_point> burst_done;
  int late = 0;
  int said = 0;
  auto next_polite = steady_clock::now();
  while (seen.size() < std::size_t{kLines} && steady_clock::now() - start < 15s) {
    if (steady_clock::now() >= next_polite) {
      const std::string mine = "polite " + std::to_string(said++);
      const auto sent = system_clock::now();
      polite.tcp.send(mine + "\n");
      std::optional<TcpClient::Line> back;
      while ((back = polite.tcp.read_timed_line(2s)) && back->text != polite.name + ": " + mine) {
      }
      ASSERT_TRUE(back) << mine << " never came back";
      late += back->at - sent > kOnTime;
      next_polite += 250ms;
    }
    while (auto line = watcher.tcp.read_line(20ms)) {
      if (line->starts_with(paster.name + ": "))
        seen.push_back(line->substr(paster.name.size() + 2));
      if (seen.size() == 100 && !burst_done) burst_done = steady_clock::now();
    }
  }
  const auto took = steady_clock::now() - start;
  ASSERT_EQ(seen.size(), std::size_t{kLines}) << "lines lost or late";
  for (int i = 0; i < kLines; ++i) EXPECT_EQ(seen[i], "pasted line " + std::to_string(i));
  ASSERT_TRUE(burst_done);
  EXPECT_LT(*burst_done - start, 1s) << "the burst did not pass at once";
  EXPECT_GT(took, 9s) << "faster than 20 lines a second";
  EXPECT_LT(took, 12s);
  EXPECT_GT(said, 30);
  EXPECT_EQ(late, 0) << late << " of " << said << " polite lines late";
  expect_clean_stop(server.process);
}

TEST(ChatRate, ReconnectingFillsNoBucket) {
  // -rate 20: five connections one after another from one address, each sending 150 lines and
  // closing its side, get the address's one burst of 100 and then 20 a second between them, not
  // a burst each (275,273 lines in 10 s came from one address before). Another address is
  // unaffected. (The flooders half-close: a socket closed with unread data resets the
  // connection, and the server would drop the lines it had not read yet.)
  auto server = start_server("chat", {"-rate", "20"});
  auto watcher = join(server.port);
  auto polite = join(server.port);
  const std::string source = next_member_source();
  std::string lines;
  for (int i = 0; i < 150; ++i) lines += "flood " + std::to_string(i) + "\n";
  const auto start = steady_clock::now();
  std::vector<TcpClient> flooders;
  for (int i = 0; i < 5; ++i) {
    flooders.push_back(TcpClient::connect_from(source, server.port));
    ASSERT_TRUE(flooders.back().read_line(2s));
    flooders.back().send(lines);
    flooders.back().shutdown_write();
  }
  polite.tcp.send("still here\n");
  int flooded = 0;
  bool polite_heard = false;
  while (steady_clock::now() - start < 3s) {
    if (auto line = watcher.tcp.read_line(50ms)) {
      flooded += line->starts_with(source + ":");
      polite_heard = polite_heard || *line == polite.name + ": still here";
    }
  }
  const double seconds = std::chrono::duration<double>(steady_clock::now() - start).count();
  EXPECT_GE(flooded, 100) << "the burst passes at once";
  EXPECT_LE(flooded, 100 + 20 * seconds + 5) << "in " << seconds << " s";
  EXPECT_TRUE(polite_heard) << "another address's line waited on the flood";
  expect_clean_stop(server.process);
}

TEST(MultiLoop, ChatWithTwoLoopsKeepsOneOrderForEveryone) {
  // -threads 2, 40 clients (spread over both loops by the kernel), each saying 20 lines at once:
  // every client sees all 800, whole, in one and the same order.
  constexpr int kClients = 40;
  constexpr int kLines = 20;
  auto server = start_server("chat", {"-threads", "2", "-rate", "0"});
  std::vector<Member> members;
  for (int i = 0; i < kClients; ++i) members.push_back(join(server.port));
  // Everyone has heard of everyone who came after it.
  for (int i = 0; i + 1 < kClients; ++i) {
    ASSERT_TRUE(heard(members[i].tcp, members.back().name + " has arrived", 5s)) << "client " << i;
  }
  std::vector<std::vector<std::string>> seen(kClients);
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < kClients; ++i) {
      threads.emplace_back([&, i] {
        std::string input;
        for (int j = 0; j < kLines; ++j) input += "line " + std::to_string(j) + "\n";
        members[i].tcp.send(input);
        seen[i] = read_lines(members[i].tcp, kClients * kLines, 10s);
      });
    }
  }
  for (int i = 0; i < kClients; ++i) {
    ASSERT_EQ(seen[i].size(), std::size_t{kClients * kLines}) << "client " << i;
    EXPECT_EQ(seen[i], seen[0]) << "client " << i << " saw another order";
  }
  expect_clean_stop(server.process);
}

TEST(MultiLoop, ChatWithTwoLoopsAdmitsEachNameOnce) {
  // -names on two loops: 40 clients ask for 20 names (each twice, in two spellings that look
  // alike) at once; each name is admitted once, and the other asker is told it is taken.
  auto server = start_server("chat", {"-threads", "2", "-names"});
  std::vector<TcpClient> clients;
  for (int i = 0; i < 40; ++i) {
    clients.push_back(TcpClient::connect(server.port));
    ASSERT_EQ(clients.back().read_line(2s), "Enter your name:");
  }
  for (int i = 0; i < 40; ++i) {
    const std::string name = "user" + std::to_string(i / 2);
    clients[i].send((i % 2 == 0 ? name : "USER" + std::to_string(i / 2)) + "\n");
  }
  int admitted = 0;
  for (int i = 0; i < 40; i += 2) {
    int in = 0;
    for (int j = i; j < i + 2; ++j) {
      const auto answer = clients[j].read_line(2s);
      ASSERT_TRUE(answer) << "client " << j;
      if (answer->starts_with("You are ")) {
        ++in;
      } else {
        EXPECT_EQ(*answer, "name taken, try another:") << "client " << j;
      }
    }
    EXPECT_EQ(in, 1) << "user" << i / 2;
    admitted += in;
  }
  EXPECT_EQ(admitted, 20);
  expect_clean_stop(server.process);
}

TEST(MultiLoop, ChatWithTwoLoopsExitsWithinASecondOnSigterm) {
  auto server = start_server("chat", {"-threads", "2"});
  std::vector<Member> members;
  for (int i = 0; i < 50; ++i) members.push_back(join(server.port));
  members.front().tcp.send("bye\n");
  const auto signalled = steady_clock::now();
  server.process.signal(SIGTERM);
  EXPECT_EQ(server.process.wait_exit(1s), 0) << server.process.stderr_text();
  EXPECT_LT(steady_clock::now() - signalled, 1s);
  int open = 0;
  for (auto& member : members) open += !member.tcp.wait_eof(2s);
  EXPECT_EQ(open, 0);
  expect_no_sanitizer_report(server.process);
}

// ---- the attacks of issue 18, with bounds (run alone: the `load` label) ------------------------

TEST(ChatLoad, ANewcomerBehindTwoThousandIdleArrivalsIsGreetedWithinTwoSeconds) {
  // 2,000 clients connect at once and never read nor write; a newcomer right behind them is
  // told who it is within 2 s (each arrival costs each client a send per round, not one each).
  constexpr int kCrowd = 2000;
  auto server = start_server("chat");
  std::vector<TcpClient> crowd;
  crowd.reserve(kCrowd);
  for (int i = 0; i < kCrowd; ++i) crowd.push_back(TcpClient::connect(server.port));
  const auto connected = system_clock::now();
  auto newcomer = TcpClient::connect(server.port);
  const auto greeting = newcomer.read_timed_line(10s);
  ASSERT_TRUE(greeting) << "never greeted";
  EXPECT_EQ(greeting->text, "You are " + name_of(newcomer));
  EXPECT_LT(greeting->at - connected, 2s);
  // And the crowd heard of it: the last of them, of the newcomer's arrival.
  EXPECT_TRUE(heard(crowd.back(), name_of(newcomer) + " has arrived", 5s));
  expect_clean_stop(server.process);
}

// A member says "line I" and waits for it back among whatever else comes: how long it took, by
// when the test read it, or nothing after 3 s.
std::optional<double> own_line_ms(Member& talker, int i) {
  const std::string mine = talker.name + ": line " + std::to_string(i);
  const auto sent = system_clock::now();
  talker.tcp.send("line " + std::to_string(i) + "\n");
  std::optional<TcpClient::Line> back;
  while ((back = talker.tcp.read_timed_line(3s)) && back->text != mine) {
  }
  if (!back) return std::nullopt;
  return std::chrono::duration<double, std::milli>(back->at - sent).count();
}

TEST(ChatLoad, ChurnBesideAThreeHundredClientRoomDelaysNobodysOwnLine) {
  // 300 members; strangers come and go as fast as one thread can; a reading member says a line
  // every 20 ms for 3 s, and on until 300 strangers have come and gone (under a CPU hog one
  // thread's churn may take longer: 277 cycles in 3 s was seen), and gets each back within
  // 250 ms at p99.
  auto server = start_server("chat");
  std::vector<Member> room;
  for (int i = 0; i < 300; ++i) room.push_back(join(server.port));
  auto talker = join(server.port);
  std::atomic<bool> churning = true;
  std::atomic<int> cycles = 0;
  std::jthread churn([&] {
    while (churning) {
      auto stranger = TcpClient::try_connect(server.port);
      if (stranger) stranger->read_line(1s);
      ++cycles;
    }
  });
  std::vector<double> waits_ms;
  const auto end = steady_clock::now() + 3s;
  const auto at_most = end + 7s;
  for (int i = 0; steady_clock::now() < end || (cycles <= 300 && steady_clock::now() < at_most);
       ++i) {
    const auto wait = own_line_ms(talker, i);
    ASSERT_TRUE(wait) << "line " << i << " never came back";
    waits_ms.push_back(*wait);
    std::this_thread::sleep_for(20ms);
  }
  churning = false;
  churn.join();
  EXPECT_GT(cycles, 300) << "hardly any churn";
  std::sort(waits_ms.begin(), waits_ms.end());
  const double p99 = waits_ms[waits_ms.size() * 99 / 100];
  EXPECT_LT(p99, 250.0) << cycles << " cycles; p99 " << p99 << " ms of " << waits_ms.size();
  expect_clean_stop(server.process);
}

// One connect/close cycle as the probe of issue 30 made them: connect and close at once, reading
// nothing; from `source` (bound) when not empty. A connect the server's full listen queue keeps
// waiting gives up after 500 ms. Whether it connected.
bool come_and_go(std::uint16_t port, const std::string& source) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  const timeval half_second{0, 500'000};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &half_second, sizeof half_second);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  if (!source.empty()) {
    const int one = 1;
    ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    ::inet_pton(AF_INET, source.c_str(), &address.sin_addr);
    ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  }
  address.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  const bool connected =
      ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

// The calling thread yields to the server: the test's own load stands in for other machines,
// and on two cores ten busy threads at equal weight would leave the server a fifth of one.
void run_as_other_machines() { ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19); }

// The room reads what it is sent, as people's terminals do, until `going` ends: whatever has
// arrived on the sockets that have something, thrown away.
void read_as_terminals(const std::vector<Member>& room, const std::atomic<bool>& going) {
  run_as_other_machines();
  const int poller = ::epoll_create1(EPOLL_CLOEXEC);
  for (const Member& member : room) {
    epoll_event interest{};
    interest.events = EPOLLIN;
    interest.data.fd = member.tcp.fd();
    ::epoll_ctl(poller, EPOLL_CTL_ADD, member.tcp.fd(), &interest);
  }
  std::vector<epoll_event> ready(room.size());
  std::vector<char> sink(64 * 1024);
  while (going) {
    const int n = ::epoll_wait(poller, ready.data(), static_cast<int>(ready.size()), 10);
    for (int i = 0; i < n; ++i) {
      while (::recv(ready[i].data.fd, sink.data(), sink.size(), MSG_DONTWAIT) ==
             static_cast<ssize_t>(sink.size())) {
      }
    }
  }
  ::close(poller);
}

// Issue 30's shape: a room of `members`, all reading; 8 threads connect and close as fast as they
// can, from 127.0.0.1 or from addresses of their own; a member says a line every 20 ms for 3 s
// and gets each back within 100 ms at p99 (250 ms under ASan), while the server, one event loop,
// uses at most one core. -max-accept-rate's default (1000) keeps the rest of the churn in the
// listen queue: without it, 7,600 cycles a second beside 300 readers took p99 to 70 ms and the
// other members' p99 to 350. The readers and the churn are the test's, not the server's, load:
// they run at the lowest priority, so that the server has what the issue gives it, one core.
// (At equal priority, beside 1,000 readers, p99 was 115-180 ms with the server on a fifth of
// the two cores.)
void expect_own_line_on_time_under_churn(int members, bool from_many,
                                         std::chrono::seconds window = 3s) {
  constexpr auto kOnTime = kSanitized ? 250.0 : 100.0;
  auto server = start_server("chat");
  std::vector<Member> room = join_all(server.port, members);
  auto talker = join(server.port);
  std::atomic<bool> going = true;
  std::jthread readers([&] { read_as_terminals(room, going); });
  std::atomic<int> cycles = 0;
  std::vector<std::jthread> churn;
  for (int t = 0; t < 8; ++t) {
    churn.emplace_back([&, t] {
      run_as_other_machines();
      for (unsigned n = 0; going; ++n) {
        const std::string source =
            from_many ? "127.3." + std::to_string(t) + "." + std::to_string(n % 250 + 1) : "";
        cycles += come_and_go(server.port, source);
      }
    });
  }
  std::vector<double> waits_ms;
  const auto start = steady_clock::now();
  const auto cpu_before = cpu_time(server.process.pid());
  for (int i = 0; steady_clock::now() < start + window; ++i) {
    const auto wait = own_line_ms(talker, i);
    ASSERT_TRUE(wait) << "line " << i << " never came back";
    waits_ms.push_back(*wait);
    std::this_thread::sleep_for(20ms);
  }
  const auto cpu_used = cpu_time(server.process.pid()) - cpu_before;
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - start);
  going = false;
  churn.clear();  // joins
  readers.join();
  EXPECT_GT(cycles, 1000) << "hardly any churn";
  std::sort(waits_ms.begin(), waits_ms.end());
  const double p99 = waits_ms[waits_ms.size() * 99 / 100];
  EXPECT_LE(p99, kOnTime) << cycles << " cycles; p50 " << waits_ms[waits_ms.size() / 2]
                          << " ms, p99 " << p99 << " ms, max " << waits_ms.back() << " ms of "
                          << waits_ms.size();
  EXPECT_LE(cpu_used, elapsed + 20ms) << "more than one core";
  expect_clean_stop(server.process);
}

TEST(ChatLoad, ChurnFromOneAddressBesideThreeHundredDelaysNobodysOwnLine) {
  expect_own_line_on_time_under_churn(300, false);
}

TEST(ChatLoad, ChurnFromManyAddressesBesideThreeHundredDelaysNobodysOwnLine) {
  expect_own_line_on_time_under_churn(300, true);
}

// Beside 1,000 the first lines said as churn begins wait longest: -max-accept-rate lets a burst
// of 1,000 in at once, 2,000 lines of arrivals and leavings to each of 1,000 clients (100-140 ms
// for the first one or two lines, 10-40 ms after). 10 s of lines, about 240, make p99 a
// percentile rather than the slowest line, as it was in 3 s (about 70 lines).
TEST(ChatLoad, ChurnFromOneAddressBesideAThousandDelaysNobodysOwnLine) {
  expect_own_line_on_time_under_churn(1000, false, 10s);
}

TEST(ChatLoad, ChurnFromManyAddressesBesideAThousandDelaysNobodysOwnLine) {
  expect_own_line_on_time_under_churn(1000, true, 10s);
}

TEST(ChatLoad, ThreeHundredClientsSendingSixtyFourKibNamesWithoutReadingCostBoundedMemory) {
  // -names: 300 connections each send 64 KiB names, over and over, and never read. Each is
  // refused (32 characters at most), and the refusals are bounded as messages are: the server
  // grows by at most 64 MiB (it grew by 2.8 GiB before names were bounded).
  constexpr int kClients = 300;
  auto server = start_server("chat", {"-names"}, options_for_measuring_memory());
  auto alice = named(server.port, "alice");
  ASSERT_EQ(alice.read_line(2s), "Present: nobody");
  const long before = resident_kib(server.process.pid());
  std::string names;
  while (names.size() < (1 << 20)) names += std::string(64 * 1024 - 1, 'n') + "\n";
  std::vector<TcpClient> attackers;
  for (int i = 0; i < kClients; ++i) {
    attackers.push_back(TcpClient::connect(server.port));
    attackers.back().send_some(names, 10ms);
  }
  long peak = 0;
  const auto end = steady_clock::now() + 2s;
  while (steady_clock::now() < end) {
    for (auto& attacker : attackers) attacker.send_some(names.substr(0, 64 * 1024), 0ms);
    peak = std::max(peak, resident_kib(server.process.pid()));
    std::this_thread::sleep_for(50ms);
  }
  alice.send("still here\n");
  EXPECT_TRUE(heard(alice, "alice: still here", 2s));
  EXPECT_LT(peak - before, 64 * 1024)
      << "VmRSS " << before << " KiB before, " << peak << " at peak";
  expect_clean_stop(server.process);
}

// Issue 22: 3,000 newcomers each send 64 KiB of a name and no newline, then all leave. Their line
// buffers were freed into the allocator's heap, which kept them (43 MiB over the start size, 3 s
// on); each such session now asks for a trim at its end, and the trims are batched.
TEST(ChatLoad, GivesMemoryBackAfterThreeThousandPartialLongLines) {
  auto server =
      start_server("chat", {"-names", "-log-level", "debug"}, options_for_measuring_memory());
  auto alice = named(server.port, "alice");
  ASSERT_EQ(alice.read_line(2s), "Present: nobody");
  expect_memory_given_back_after_partial_lines(server, 0);
  alice.send("still here\n");
  EXPECT_TRUE(heard(alice, "alice: still here", 2s));
  expect_clean_stop(server.process);
}

}  // namespace
}  // namespace e2e
