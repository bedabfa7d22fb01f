// chat as users run it: over real loopback sockets, with our TCP client, netcat3 and nc.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <memory>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/chat_clients.hpp"
#include "tests/e2e/programs.hpp"

namespace e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;
using namespace std::string_literals;

TEST(Chat, GreetsAndAnnouncesAsTheBookDoes) {
  // The book's session (section 8.10), byte for byte, with clients whose addresses we know.
  auto server = start_server("chat");
  auto a = TcpClient::connect(server.port);
  const std::string A = name_of(a);
  EXPECT_EQ(a.read_line(2s), "You are " + A);
  auto b = TcpClient::connect(server.port);
  const std::string B = name_of(b);
  EXPECT_EQ(b.read_line(2s), "You are " + B);
  EXPECT_EQ(a.read_line(2s), B + " has arrived");
  a.send("Hi!\n");
  EXPECT_EQ(a.read_line(2s), A + ": Hi!");
  EXPECT_EQ(b.read_line(2s), A + ": Hi!");
  b.send("Hi yourself.\n");
  EXPECT_EQ(a.read_line(2s), B + ": Hi yourself.");
  EXPECT_EQ(b.read_line(2s), B + ": Hi yourself.");
  a.close();
  EXPECT_EQ(b.read_line(2s), A + " has left");
  auto c = TcpClient::connect(server.port);
  const std::string C = name_of(c);
  EXPECT_EQ(c.read_line(2s), "You are " + C);
  EXPECT_EQ(b.read_line(2s), C + " has arrived");
  b.send("Welcome.\n");
  EXPECT_EQ(b.read_line(2s), B + ": Welcome.");
  EXPECT_EQ(c.read_line(2s), B + ": Welcome.");
  b.close();
  EXPECT_EQ(c.read_line(2s), B + " has left");
  c.shutdown_write();
  EXPECT_EQ(c.read_until_eof(2s), "") << "nothing but the book's lines";
  EXPECT_TRUE(c.eof());
  expect_clean_stop(server.process);
}

// What a netcat3 has printed so far, waiting for the line `line` to be among it.
std::string wait_for_stdout(ChildProcess& netcat, std::string& printed, const std::string& line) {
  while (printed.find(line + "\n") == std::string::npos) {
    auto next = netcat.read_stdout_line(3s);
    if (!next) {
      ADD_FAILURE() << "netcat3 never printed \"" << line << "\"; it printed:\n" << printed;
      break;
    }
    printed += *next + "\n";
  }
  return printed;
}

std::string greeted_name(ChildProcess& netcat, std::string& printed) {
  auto line = netcat.read_stdout_line(3s);
  if (!line || !line->starts_with("You are ")) {
    ADD_FAILURE() << "no greeting: " << line.value_or("(none)");
    return "?";
  }
  printed += *line + "\n";
  return line->substr(8);
}

TEST(Chat, ReproducesTheBooksSessionWithThreeNetcat3Clients) {
  // The book's transcript: the first netcat3 ends with ^C, the other two at the end of their input
  // (then they half-close, and wait for the server's end: every message they were owed comes).
  auto server = start_server("chat");
  const std::string address = "127.0.0.1:" + std::to_string(server.port);
  std::string out1, out2, out3;
  auto one = start_program("netcat3", {address});
  const std::string A = greeted_name(one, out1);
  auto two = start_program("netcat3", {address});
  const std::string B = greeted_name(two, out2);
  wait_for_stdout(one, out1, B + " has arrived");
  one.write_stdin("Hi!\n");
  wait_for_stdout(one, out1, A + ": Hi!");
  wait_for_stdout(two, out2, A + ": Hi!");
  two.write_stdin("Hi yourself.\n");
  wait_for_stdout(one, out1, B + ": Hi yourself.");
  wait_for_stdout(two, out2, B + ": Hi yourself.");
  one.signal(SIGINT);
  EXPECT_EQ(one.wait_exit(2s), 128 + SIGINT);
  wait_for_stdout(two, out2, A + " has left");
  auto three = start_program("netcat3", {address});
  const std::string C = greeted_name(three, out3);
  wait_for_stdout(two, out2, C + " has arrived");
  two.write_stdin("Welcome.\n");
  wait_for_stdout(two, out2, B + ": Welcome.");
  wait_for_stdout(three, out3, B + ": Welcome.");
  two.close_stdin();
  out2 += two.read_stdout_until_eof(3s);
  EXPECT_EQ(two.wait_exit(2s), 0) << two.stderr_text();
  EXPECT_NE(two.stderr_text().find("netcat3: done"), std::string::npos) << two.stderr_text();
  wait_for_stdout(three, out3, B + " has left");
  three.close_stdin();
  out3 += three.read_stdout_until_eof(3s);
  EXPECT_EQ(three.wait_exit(2s), 0) << three.stderr_text();

  EXPECT_EQ(out1,
            "You are " + A + "\n" + B + " has arrived\n" + A + ": Hi!\n" + B + ": Hi yourself.\n");
  EXPECT_EQ(out2, "You are " + B + "\n" + A + ": Hi!\n" + B + ": Hi yourself.\n" + A +
                      " has left\n" + C + " has arrived\n" + B + ": Welcome.\n");
  EXPECT_EQ(out3, "You are " + C + "\n" + B + ": Welcome.\n" + B + " has left\n");
  for (auto* netcat : {&one, &two, &three}) expect_no_sanitizer_report(*netcat);
  expect_clean_stop(server.process);
}

TEST(Chat, EveryClientSeesOneOrderOfWholeLines) {
  // Five clients send 100 lines each, all at once: every client gets all 500, whole, in one and
  // the same order, each sender's lines in the order it sent them. Arrival-dependent: 5 rounds.
  constexpr int kClients = 5;
  constexpr int kLines = 100;
  for (int round = 0; round < 5; ++round) {
    auto server = start_server("chat");
    std::vector<Member> members;
    for (int i = 0; i < kClients; ++i) {
      members.push_back(join(server.port));
      for (int j = 0; j < i; ++j) {
        ASSERT_EQ(members[j].tcp.read_line(2s), members[i].name + " has arrived");
      }
    }
    std::vector<std::vector<std::string>> seen(kClients);
    {
      std::vector<std::jthread> threads;
      for (int i = 0; i < kClients; ++i) {
        threads.emplace_back([&, i] {
          std::string input;
          for (int j = 0; j < kLines; ++j) {
            input += "line " + std::to_string(j) + " of client " + std::to_string(i) + "\n";
          }
          members[i].tcp.send(input);
          seen[i] = read_lines(members[i].tcp, kClients * kLines, 10s);
        });
      }
    }
    for (int i = 0; i < kClients; ++i) {
      ASSERT_EQ(seen[i].size(), std::size_t{kClients * kLines}) << "round " << round;
      EXPECT_EQ(seen[i], seen[0]) << "client " << i << " saw another order, round " << round;
    }
    for (int i = 0; i < kClients; ++i) {
      int next = 0;
      const std::string prefix = members[i].name + ": line ";
      for (const auto& line : seen[0]) {
        if (!line.starts_with(prefix)) continue;
        EXPECT_EQ(line, prefix + std::to_string(next) + " of client " + std::to_string(i))
            << "round " << round;
        ++next;
      }
      EXPECT_EQ(next, kLines) << "client " << i << ", round " << round;
    }
    expect_clean_stop(server.process);
  }
}

TEST(Chat, SlowClientSlowsNobodyAndHearsHowManyItMissed) {
  // A client with a tiny receive buffer that never reads, while another sends 3,000 lines of
  // 4 KB: the reading clients get every line, in order, in a few seconds; the silent one, when at
  // last it reads, gets whole lines and where it missed some, how many. (The book's broadcaster
  // would stop at the silent client's first full buffer, and nobody would get the rest.)
  // The sender stays at most 128 lines ahead of the slower reader: a reader slower than the
  // sender would miss lines too, rightly, and this test is about one that does not read at all.
  constexpr int kLines = 3000;
  constexpr int kAhead = 128;
  auto server = start_server("chat", {"-rate", "0"});
  auto silent = join(server.port, "127.0.0.1", 4096);
  std::vector<Member> readers;
  for (int i = 0; i < 2; ++i) readers.push_back(join(server.port));
  auto sender = join(server.port);
  const auto line = [&](int i) {
    std::string text = "line " + std::to_string(i) + " ";
    text.resize(4000, static_cast<char>('a' + i % 26));
    return text;
  };
  for (auto& reader : readers) {
    ASSERT_TRUE(heard(reader.tcp, sender.name + " has arrived", 2s));
  }
  const auto start = steady_clock::now();
  std::vector<std::vector<std::string>> got(readers.size());
  std::vector<std::atomic<int>> progress(readers.size());  // lines each reader has got
  {
    std::vector<std::jthread> threads;
    for (std::size_t r = 0; r < readers.size(); ++r) {
      threads.emplace_back([&, r] {
        const auto deadline = steady_clock::now() + 20s;
        while (steady_clock::now() < deadline) {
          auto text = readers[r].tcp.read_line(1s);
          if (!text) break;
          got[r].push_back(std::move(*text));
          ++progress[r];
          if (got[r].back() == sender.name + ": done") break;
        }
      });
    }
    const auto slowest = [&] {
      int least = kLines;
      for (const auto& lines : progress) least = std::min(least, lines.load());
      return least;
    };
    for (int i = 0; i < kLines; i += 16) {
      while (i - slowest() > kAhead && steady_clock::now() - start < 20s) {
        std::this_thread::sleep_for(1ms);
      }
      std::string input;
      for (int j = i; j < std::min(i + 16, kLines); ++j) input += line(j) + "\n";
      sender.tcp.send(input);
    }
    sender.tcp.send("done\n");
  }
  const auto took = steady_clock::now() - start;
  for (std::size_t r = 0; r < readers.size(); ++r) {
    ASSERT_EQ(got[r].size(), std::size_t{kLines + 1}) << "reader " << r;
    for (int i = 0; i < kLines; ++i) {
      if (got[r][i] != sender.name + ": " + line(i)) {
        ADD_FAILURE() << "reader " << r << ", line " << i << ": " << got[r][i].substr(0, 60);
        break;
      }
    }
  }
  EXPECT_LT(took, kSanitized ? 10s : 5s);

  // Now the silent one reads: whole lines in order, and skipped notices where lines are missing
  // ("done" may be among them). Once it has read what it was sent, one more line comes through.
  std::vector<std::string> late;
  for (auto more = read_until_line(silent.tcp, sender.name + ": done", 2s); !more.empty();
       more = read_until_line(silent.tcp, sender.name + ": done", 500ms)) {
    late.insert(late.end(), more.begin(), more.end());
    if (late.back() == sender.name + ": done") break;
  }
  sender.tcp.send("end\n");
  const auto end = read_until_line(silent.tcp, sender.name + ": end", 5s);
  ASSERT_FALSE(end.empty());
  EXPECT_EQ(end.back(), sender.name + ": end") << "the silent client was dropped";
  late.insert(late.end(), end.begin(), end.end() - 1);
  int delivered = 0;
  std::size_t skipped = 0;
  int notices = 0;
  int last = -1;
  const std::regex notice(R"(\((\d+) messages skipped\))");
  for (const auto& text : late) {
    std::smatch count;
    if (std::regex_match(text, count, notice)) {
      skipped += std::stoul(count[1]);
      ++notices;
      continue;
    }
    if (text == sender.name + ": done") {
      ++delivered;
      continue;
    }
    const std::string prefix = sender.name + ": line ";
    if (!text.starts_with(prefix)) continue;  // the others' arrivals
    const int i = std::stoi(text.substr(prefix.size()));
    EXPECT_GT(i, last);
    if (text != sender.name + ": " + line(i)) {
      ADD_FAILURE() << "a torn line of " << text.size() << " bytes: " << text.substr(0, 60);
      break;
    }
    last = i;
    ++delivered;
  }
  EXPECT_GE(notices, 1);
  EXPECT_GT(delivered, 0);
  EXPECT_EQ(delivered + skipped, std::size_t{kLines + 1}) << delivered << " delivered";
  expect_clean_stop(server.process);
}

TEST(Chat, HalfClosedClientGetsEverythingItWasOwed) {
  // A client sends 50 lines and half-closes at once, while another keeps talking: it gets exactly
  // what the other saw between its arrival and its leaving, then EOF. 20 tries, some with a
  // pause before the half-close, so that the FIN comes in a read of its own.
  auto server = start_server("chat", {"-rate", "0"});
  auto watcher = join(server.port);
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto leaver = TcpClient::connect(server.port);
    const std::string L = name_of(leaver);
    ASSERT_EQ(watcher.tcp.read_line(2s), L + " has arrived");
    std::string input;
    for (int i = 0; i < 50; ++i) input += "owed " + std::to_string(i) + "\n";
    std::jthread talk([&] {
      for (int i = 0; i < 20; ++i) watcher.tcp.send("meanwhile " + std::to_string(i) + "\n");
    });
    leaver.send(input);
    if (attempt % 3 == 1) std::this_thread::sleep_for(20ms);
    leaver.shutdown_write();
    const auto got = split_lines(leaver.read_until_eof(5s));
    ASSERT_TRUE(leaver.eof()) << "no EOF after the half-close, attempt " << attempt;
    EXPECT_FALSE(leaver.was_reset());
    talk.join();
    auto seen = read_until_line(watcher.tcp, L + " has left", 5s);
    ASSERT_FALSE(seen.empty());
    ASSERT_EQ(seen.back(), L + " has left") << "attempt " << attempt;
    seen.pop_back();
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.front(), "You are " + L);
    EXPECT_EQ(std::vector<std::string>(got.begin() + 1, got.end()), seen) << "attempt " << attempt;
    EXPECT_EQ(
        std::count_if(got.begin(), got.end(),
                      [&](const std::string& text) { return text.starts_with(L + ": owed"); }),
        50);
    // The rest of the watcher's own lines, after the leaving, are not the leaver's business.
    const std::string last_word = watcher.name + ": meanwhile 19";
    if (std::find(seen.begin(), seen.end(), last_word) == seen.end()) {
      ASSERT_TRUE(heard(watcher.tcp, last_word, 5s)) << "attempt " << attempt;
    }
  }
  expect_clean_stop(server.process);
}

TEST(Chat, SplitsLinesAsReverbDoesAndSendsALastLineWithoutNewline) {
  // One "\r" before "\n" dropped, inner "\r" kept, empty lines count, and a last line without
  // "\n" still counts at EOF, however the bytes and the FIN arrive: 20 tries each. With -raw the
  // bytes are the book's; by default what a terminal would obey is written as Go quotes it.
  for (const bool raw : {true, false}) {
    auto server =
        start_server("chat", raw ? std::vector<std::string>{"-raw"} : std::vector<std::string>{});
    const std::string cr = raw ? "\r" : R"(\r)";
    const std::string nul = raw ? "\0"s : R"(\x00)";
    for (int attempt = 0; attempt < 20; ++attempt) {
      auto client = TcpClient::connect(server.port);
      const std::string N = name_of(client);
      client.send("crlf\r\ntwo\r\r\nin\rside\n\nnul\0!\nlast"s);
      if (attempt % 2 == 1) std::this_thread::sleep_for(20ms);
      client.shutdown_write();
      EXPECT_EQ(client.read_until_eof(3s), "You are " + N + "\n" + N + ": crlf\n" + N + ": two" +
                                               cr + "\n" + N + ": in" + cr + "side\n" + N + ": \n" +
                                               N + ": nul" + nul + "!\n" + N + ": last\n")
          << "attempt " << attempt << (raw ? " with -raw" : "");
      EXPECT_TRUE(client.eof()) << "attempt " << attempt;
    }
    expect_clean_stop(server.process);
  }
}

TEST(Chat, DropsAStuckClientAfterTheWriteTimeoutAndAnnouncesItsLeaving) {
  // A client that never reads, with a tiny receive buffer, while another sends lines of 60 KB:
  // once a write to it has been stuck for -write-timeout (1 s), it is dropped and the others hear
  // that it left; the sender, who reads, is never dropped.
  auto server = start_server("chat", {"-write-timeout", "1s", "-log-level", "debug"});
  auto stuck = join(server.port, "127.0.0.1", 4096);
  auto sender = join(server.port);
  const std::string big(60000, 'x');
  const auto start = steady_clock::now();
  const std::string has_left = stuck.name + " has left";
  bool left = false;
  for (int i = 0; i < 300 && !left && steady_clock::now() - start < 10s; ++i) {
    sender.tcp.send(big + "\n");
    const auto lines = read_until_line(sender.tcp, sender.name + ": " + big, 2s);
    left = std::find(lines.begin(), lines.end(), has_left) != lines.end();
  }
  if (!left) left = heard(sender.tcp, has_left, 3s);
  ASSERT_TRUE(left) << server.process.stderr_text();
  EXPECT_TRUE(server.process.wait_for_stderr_line(
      std::regex("^chat: debug: " + std::regex_replace(stuck.name, std::regex(R"(\.)"), R"(\.)") +
                 ": a write stuck for 1s$"),
      1s))
      << server.process.stderr_text();
  EXPECT_TRUE(stuck.tcp.wait_eof(5s)) << "the stuck client's connection is not closed";
  sender.tcp.send("still here\n");
  EXPECT_TRUE(heard(sender.tcp, sender.name + ": still here", 2s));
  expect_clean_stop(server.process);
}

TEST(Chat, DisconnectsAClientIdleForTheIdleTimeoutAndTellsTheOthers) {
  // -idle-timeout 1s: a client that sends no line for a second is disconnected, and the others
  // hear that it left; one that keeps talking stays.
  auto server = start_server("chat", {"-idle-timeout", "1s"});
  auto talker = join(server.port);
  auto idler = join(server.port);
  const auto joined = steady_clock::now();
  ASSERT_EQ(talker.tcp.read_line(2s), idler.name + " has arrived");
  const std::string has_left = idler.name + " has left";
  std::optional<steady_clock::time_point> left;
  for (int i = 0; i < 8; ++i) {  // a line every 300 ms for 2.4 s: more than two idle timeouts
    talker.tcp.send("ping " + std::to_string(i) + "\n");
    const auto lines = read_until_line(talker.tcp, talker.name + ": ping " + std::to_string(i), 2s);
    if (!left && std::find(lines.begin(), lines.end(), has_left) != lines.end()) {
      left = steady_clock::now();
    }
    std::this_thread::sleep_until(joined + (i + 1) * 300ms);
  }
  ASSERT_TRUE(left) << "the others never heard that the idle client left";
  EXPECT_GT(*left - joined, 900ms) << "disconnected before it was idle for a second";
  EXPECT_LT(*left - joined, 2s);
  EXPECT_TRUE(idler.tcp.wait_eof(1s));
  EXPECT_FALSE(talker.tcp.eof()) << "the client that talked was disconnected too";
  // Once it falls silent, the talker goes the same way.
  EXPECT_TRUE(talker.tcp.wait_eof(2s));
  expect_clean_stop(server.process);
}

TEST(Chat, AClientDisconnectedForIdlenessGetsWholeLinesToTheEnd) {
  // A client that sends nothing and reads slowly, so that a write to it is in flight when its
  // idle timeout comes: the write finishes, what was queued for it goes out, every line whole, and
  // then EOF. Twice, the timeout landing at another point of the writes.
  for (int round = 0; round < 2; ++round) {
    auto server = start_server("chat", {"-idle-timeout", "1s"});
    auto sleepy = join(server.port, "127.0.0.1", 4096);
    auto talker = join(server.port);
    const std::string line(60000 - round * 7000, 'x');
    const auto start = steady_clock::now();
    bool left = false;
    while (!left && steady_clock::now() - start < 5s) {
      talker.tcp.send(line + "\n");
      const auto lines = read_until_line(talker.tcp, talker.name + ": " + line, 2s);
      left = std::find(lines.begin(), lines.end(), sleepy.name + " has left") != lines.end();
    }
    ASSERT_TRUE(left) << "the idle client never left";
    const std::string rest = sleepy.tcp.read_until_eof(10s);
    EXPECT_TRUE(sleepy.tcp.eof());
    ASSERT_FALSE(rest.empty());
    EXPECT_EQ(rest.back(), '\n') << "the last line is torn";
    int whole = 0;
    for (const auto& text : split_lines(rest)) {
      if (text == talker.name + " has arrived" || text.ends_with(" messages skipped)")) continue;
      if (text != talker.name + ": " + line) {
        ADD_FAILURE() << "a torn line of " << text.size() << " bytes, round " << round;
        break;
      }
      ++whole;
    }
    EXPECT_GT(whole, 0);
    expect_clean_stop(server.process);
  }
}

TEST(Chat, AsksEachNewcomerItsNameWithNames) {
  auto server = start_server("chat", {"-names"});
  auto alice = TcpClient::connect(server.port);
  EXPECT_EQ(alice.read_line(2s), "Enter your name:");
  alice.send(" \t alice  \r\n");
  EXPECT_EQ(read_lines(alice, 2, 2s),
            (std::vector<std::string>{"You are alice", "Present: nobody"}));

  auto bob = TcpClient::connect(server.port);
  EXPECT_EQ(bob.read_line(2s), "Enter your name:");
  bob.send("\n");
  EXPECT_EQ(bob.read_line(2s), "name must not be empty:");
  bob.send("   \n");
  EXPECT_EQ(bob.read_line(2s), "name must not be empty:");
  bob.send("alice\n");
  EXPECT_EQ(bob.read_line(2s), "name taken, try another:");
  bob.send("bob\n");
  EXPECT_EQ(read_lines(bob, 2, 2s), (std::vector<std::string>{"You are bob", "Present: alice"}));
  EXPECT_EQ(alice.read_line(2s), "bob has arrived");

  // One that goes before it gives a name was never there: nobody hears of it.
  {
    auto shy = TcpClient::connect(server.port);
    EXPECT_EQ(shy.read_line(2s), "Enter your name:");
    shy.send("\n");
    EXPECT_EQ(shy.read_line(2s), "name must not be empty:");
    shy.shutdown_write();
    EXPECT_EQ(shy.read_until_eof(2s), "");
    EXPECT_TRUE(shy.eof());
  }
  auto carol = TcpClient::connect(server.port);
  EXPECT_EQ(carol.read_line(2s), "Enter your name:");
  carol.send("carol\n");
  EXPECT_EQ(read_lines(carol, 2, 2s),
            (std::vector<std::string>{"You are carol", "Present: alice, bob"}));
  EXPECT_EQ(alice.read_line(2s), "carol has arrived");
  EXPECT_EQ(bob.read_line(2s), "carol has arrived");
  alice.send("hi\n");
  for (auto* client : {&alice, &bob, &carol}) EXPECT_EQ(client->read_line(2s), "alice: hi");
  alice.close();
  EXPECT_EQ(bob.read_line(2s), "alice has left");
  EXPECT_EQ(carol.read_line(2s), "alice has left");
  // A name is free again once its owner left.
  auto again = TcpClient::connect(server.port);
  EXPECT_EQ(again.read_line(2s), "Enter your name:");
  again.send("alice\n");
  EXPECT_EQ(read_lines(again, 2, 2s),
            (std::vector<std::string>{"You are alice", "Present: bob, carol"}));
  EXPECT_EQ(bob.read_line(2s), "alice has arrived");
  EXPECT_EQ(carol.read_line(2s), "alice has arrived");
  expect_nothing_more(bob, 100ms, "bob");
  expect_clean_stop(server.process);
}

TEST(ChatLoad, AClientThatFloodsNamesWithoutReadingCostsBoundedMemoryAndDelaysNobody) {
  // -names: a client that sends empty names (and taken ones) as fast as it can, never reading
  // the refusals: they fill its queue and are skipped, and the others chat on. With no -rate, so
  // that the flood is as fast as the server takes it.
  auto server = start_server("chat", {"-names", "-rate", "0"}, options_for_measuring_memory());
  auto alice = TcpClient::connect(server.port);
  ASSERT_EQ(alice.read_line(2s), "Enter your name:");
  alice.send("alice\n");
  ASSERT_EQ(read_lines(alice, 2, 2s),
            (std::vector<std::string>{"You are alice", "Present: nobody"}));
  const long before = resident_kib(server.process.pid());
  std::string pattern;
  while (pattern.size() < (64 << 10)) pattern += "\n \nalice\n";
  Flooder flooder(server.port, pattern, 3s);
  const auto end = steady_clock::now() + 3s;
  long peak = 0;
  for (int i = 0; steady_clock::now() < end; ++i) {
    alice.send("ping " + std::to_string(i) + "\n");
    const auto sent = system_clock::now();
    const auto line = alice.read_timed_line(2s);
    ASSERT_TRUE(line) << "ping " << i;
    EXPECT_EQ(line->text, "alice: ping " + std::to_string(i));
    EXPECT_LT(line->at - sent, kSanitized ? 200ms : 100ms) << "ping " << i;
    peak = std::max(peak, resident_kib(server.process.pid()));
    std::this_thread::sleep_for(20ms);
  }
  flooder.join();
  EXPECT_GT(flooder.sent(), std::size_t{1} << 20) << "the flood hardly began";
  EXPECT_LT(peak - before, 4 * 1024 + (kSanitized ? 8 * 1024 : 0))
      << "VmRSS " << before << " KiB before, " << peak << " KiB at the peak";
  expect_clean_stop(server.process);
}

TEST(Chat, EndsOnlyTheConnectionWithAnOverlongLine) {
  auto server = start_server("chat", {"-max-line", "100"});
  auto bystander = join(server.port);
  auto offender = join(server.port);
  ASSERT_EQ(bystander.tcp.read_line(2s), offender.name + " has arrived");
  const std::string longest(100, 'y');  // the line end is not counted: this one passes
  offender.tcp.send(longest + "\r\nBefore\n" + std::string(101, 'x') + "\nAfter\n");
  EXPECT_EQ(read_lines(bystander.tcp, 3, 2s),
            (std::vector<std::string>{offender.name + ": " + longest, offender.name + ": Before",
                                      offender.name + " has left"}));
  EXPECT_EQ(offender.tcp.read_until_eof(2s),
            offender.name + ": " + longest + "\n" + offender.name + ": Before\n");
  EXPECT_TRUE(offender.tcp.eof());
  EXPECT_TRUE(server.process.wait_for_stderr_line(
      "chat: warning: " + offender.name + ": line longer than 100 bytes; disconnecting it", 1s))
      << server.process.stderr_text();
  bystander.tcp.send("still here\n");
  EXPECT_EQ(bystander.tcp.read_line(2s), bystander.name + ": still here");
  expect_clean_stop(server.process);
}

TEST(Chat, RateLimitsTheWarningsAClientCanProvoke) {
  auto server = start_server("chat", {"-max-line", "10"});
  const auto start = steady_clock::now();
  for (int i = 0; i < 200; ++i) {
    auto offender = TcpClient::connect(server.port);
    offender.send(std::string(20, 'x') + "\n");
    ASSERT_TRUE(offender.wait_eof(2s)) << "connection " << i;
  }
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(steady_clock::now() - start);
  expect_clean_stop(server.process);
  const auto lines = split_lines(server.process.stderr_text());
  const auto warnings = std::count_if(lines.begin(), lines.end(), [](const std::string& line) {
    return line.find("longer than 10 bytes") != std::string::npos;
  });
  EXPECT_GE(warnings, 1);
  EXPECT_LE(warnings, seconds.count() + 1) << server.process.stderr_text();
}

// SECURITY.md: client bytes are never a format string and never logged, at any level: not its
// lines, not the name it chose.
TEST(Chat, NeverLogsWhatAClientSends) {
  auto server = start_server(
      "chat", {"-names", "-max-line", "64", "-idle-timeout", "300ms", "-log-level", "trace"});
  const std::string hostile = "SECRET {} {:>99999} %s%n \x1b[2J\x1b]0;title\x07";
  {
    auto client = TcpClient::connect(server.port);
    client.send(hostile + "\n" + hostile + "\n" + hostile + std::string(100, 'x') + "\n");
    EXPECT_TRUE(client.wait_eof(3s));
  }
  {
    auto client = TcpClient::connect(server.port);
    client.send(hostile);  // no newline: the idle timeout ends it
    EXPECT_TRUE(client.wait_eof(3s));
  }
  ASSERT_TRUE(server.process.wait_for_stderr_line("no line for 300ms", 2s))
      << server.process.stderr_text();
  expect_clean_stop(server.process);
  const std::string err = server.process.stderr_text();
  EXPECT_EQ(err.find("SECRET"), std::string::npos) << err;
  EXPECT_EQ(err.find('\x1b'), std::string::npos) << err;
  EXPECT_NE(err.find("longer than 64 bytes"), std::string::npos) << err;
}

TEST(Chat, ServesNetcat3AndNcAsClients) {
  // SPEC: `printf 'hi\n' | netcat3` against chat prints its greeting and its own line, and, the
  // server closing once it has all it was owed, netcat3 logs done and exits 0. nc -N likewise.
  auto server = start_server("chat");
  auto watcher = join(server.port);
  const std::string port = std::to_string(server.port);
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{testsupport::bin("netcat3"), "127.0.0.1:" + port},
        {"nc", "-N", "127.0.0.1", port}}) {
    auto client = ChildProcess::start(argv);
    client.write_stdin("hi\n");
    client.close_stdin();
    const std::string out = client.read_stdout_until_eof(3s);
    EXPECT_EQ(client.wait_exit(2s), 0) << argv[0] << ": " << client.stderr_text();
    std::smatch name;
    ASSERT_TRUE(std::regex_match(out, name, std::regex("You are (127\\.0\\.0\\.1:\\d+)\n(.*)\n")))
        << argv[0] << ": " << out;
    EXPECT_EQ(name[2], name[1].str() + ": hi") << argv[0];
    EXPECT_EQ(read_lines(watcher.tcp, 3, 2s),
              (std::vector<std::string>{name[1].str() + " has arrived", name[1].str() + ": hi",
                                        name[1].str() + " has left"}))
        << argv[0];
    if (argv[0] != "nc") {
      EXPECT_NE(client.stderr_text().find("netcat3: done"), std::string::npos);
      expect_no_sanitizer_report(client);
    }
  }
  expect_clean_stop(server.process);
}

TEST(Chat, NamesClientsByTheirAddressAsGoPrintsIt) {
  {
    auto server = start_server("chat", {"-host", "::1"});
    auto client = TcpClient::connect(server.port, "::1");
    const std::string name = name_of(client);
    EXPECT_TRUE(std::regex_match(name, std::regex(R"(\[::1\]:\d+)"))) << name;
    EXPECT_EQ(client.read_line(2s), "You are " + name);
    client.send("hello\n");
    EXPECT_EQ(client.read_line(2s), name + ": hello");
    expect_clean_stop(server.process);
  }
  {
    // On "::", an IPv4 client is named by its IPv4 address, as Go names it.
    auto server = start_server("chat", {"-host", "::"});
    auto client = TcpClient::connect(server.port, "127.0.0.1");
    const std::string name = name_of(client);
    EXPECT_TRUE(name.starts_with("127.0.0.1:")) << name;
    EXPECT_EQ(client.read_line(2s), "You are " + name);
    expect_clean_stop(server.process);
  }
}

TEST(Chat, ClosesConnectionsOverMaxConnsWithAWarning) {
  auto server = start_server("chat", {"-max-conns", "2"});
  auto first = join(server.port);
  auto second = join(server.port);
  auto third = TcpClient::connect(server.port);
  EXPECT_TRUE(third.wait_eof(2s));
  EXPECT_TRUE(server.process.wait_for_stderr_line("connection limit 2 reached", 1s))
      << server.process.stderr_text();
  EXPECT_EQ(first.tcp.read_line(2s), second.name + " has arrived") << "the third never arrived";
  second.tcp.close();
  EXPECT_EQ(first.tcp.read_line(2s), second.name + " has left");
  // Room again, once the leaver's session has ended, a moment after the others heard it left: a
  // newcomer in that moment is closed, as any over the cap.
  std::optional<TcpClient> fourth;
  for (int attempt = 0; attempt < 20 && !fourth; ++attempt) {
    auto tcp = TcpClient::connect(server.port);
    if (tcp.read_line(2s) == "You are " + name_of(tcp)) fourth = std::move(tcp);
  }
  ASSERT_TRUE(fourth) << "never room again";
  EXPECT_EQ(first.tcp.read_line(2s), name_of(*fourth) + " has arrived");
  expect_clean_stop(server.process);
}

TEST(Chat, BadFlagValuesExitTwoWithOneLine) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"-queue", "0"},
                                               {"-queue", "lots"},
                                               {"-max-line", "0"},
                                               {"-idle-timeout", "-1s"},
                                               {"-write-timeout", "soon"},
                                               {"-threads", "0"},
                                               {"-rate", "-1"},
                                               {"-rate", "fast"},
                                               {"-port", "x"}}) {
    auto chat = start_program("chat", args);
    EXPECT_EQ(chat.wait_exit(3s), 2) << args[0] << " " << args[1];
    const std::string err = chat.stderr_text();
    EXPECT_TRUE(std::regex_match(err, std::regex("chat: [^\n]+\n"))) << args[0] << ": " << err;
  }
}

TEST(Chat, ExitsZeroWithinASecondOnSigtermOrSigintAndEveryClientSeesEof) {
  for (const int signal : {SIGTERM, SIGINT}) {
    auto server = start_server("chat", {"-names"});
    std::vector<TcpClient> clients;
    for (int i = 0; i < 50; ++i) {
      clients.push_back(TcpClient::connect(server.port));
      // Some named and talking, some still at the prompt.
      if (i % 2 == 0) clients.back().send("member" + std::to_string(i) + "\nhello\n");
    }
    for (auto& client : clients) ASSERT_EQ(client.read_line(2s), "Enter your name:");
    const auto signalled = steady_clock::now();
    server.process.signal(signal);
    EXPECT_EQ(server.process.wait_exit(1s), 0) << server.process.stderr_text();
    EXPECT_LT(steady_clock::now() - signalled, 1s);
    int open = 0;
    for (auto& client : clients) open += !client.wait_eof(2s);
    EXPECT_EQ(open, 0) << open << " clients never saw the end";
    expect_no_sanitizer_report(server.process);
  }
}

// ---- under load (run alone: the `load` label) ---------------------------------------------------

TEST(ChatLoad, ExitsAtOnceOnSigtermWithFiveHundredClients) {
  // 500 clients, every one's arrival announced to all before it: 125,000 lines in flight.
  constexpr int kClients = 500;
  auto server = start_server("chat");
  std::vector<TcpClient> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(TcpClient::connect(server.port));
  for (int i = 0; i < kClients; ++i) ASSERT_TRUE(clients[i].read_line(10s)) << "client " << i;
  // The last one is greeted once every arrival before it was handled.
  const auto signalled = steady_clock::now();
  server.process.signal(SIGTERM);
  EXPECT_EQ(server.process.wait_exit(1s), 0) << server.process.stderr_text();
  EXPECT_LT(steady_clock::now() - signalled, 1s);
  int open = 0;
  for (auto& client : clients) open += !client.wait_eof(2s);
  EXPECT_EQ(open, 0) << open << " clients never saw the end";
  expect_no_sanitizer_report(server.process);
}

TEST(ChatLoad, AFlooderDelaysNobodysLines) {
  // Two clients send short lines as fast as the server takes them and never read; a third says
  // something every 50 ms for 3 s. Each of its lines comes back to it within 100 ms (200 ms in
  // the ASan build): senders take their turns, and the flood never queues ahead of it in the
  // broadcaster. With no -rate, so that only the turns hold the flood back.
  constexpr auto kOnTime = kSanitized ? 200ms : 100ms;
  auto server = start_server("chat", {"-rate", "0"});
  auto polite = join(server.port);
  std::string pattern;
  while (pattern.size() < (64 << 10)) pattern += "flood flood flood\n";
  std::vector<std::unique_ptr<Flooder>> flooders;
  for (int i = 0; i < 2; ++i)
    flooders.push_back(std::make_unique<Flooder>(server.port, pattern, 4s));
  // The polite client keeps up with the flood, between its own lines too: a client that stops
  // reading is the slow client of another test.
  const auto keep_up_until = [&](steady_clock::time_point until) {
    while (steady_clock::now() < until) {
      polite.tcp.read_available();
      std::this_thread::sleep_for(1ms);
    }
  };
  keep_up_until(steady_clock::now() + 300ms);  // the flood is on
  int late = 0;
  int said = 0;
  std::string lateness;
  const auto flood_ends = steady_clock::now() + 3s;
  for (int i = 0; steady_clock::now() < flood_ends; ++i) {
    const std::string mine = polite.name + ": polite " + std::to_string(i);
    const auto sent = system_clock::now();
    polite.tcp.send("polite " + std::to_string(i) + "\n");
    // The flood's lines come too; the polite line is among them.
    const auto deadline = steady_clock::now() + 2s;
    std::optional<TcpClient::Line> line;
    while (steady_clock::now() < deadline) {
      line = polite.tcp.read_timed_line(2s);
      if (!line || line->text == mine) break;
    }
    ASSERT_TRUE(line && line->text == mine) << "line " << i << " never came back";
    ++said;
    if (line->at - sent > kOnTime) {
      ++late;
      lateness += " #" + std::to_string(i) + ": " +
                  std::to_string(std::chrono::duration_cast<milliseconds>(line->at - sent).count());
    }
    keep_up_until(steady_clock::now() + 50ms);
  }
  for (auto& flooder : flooders) {
    flooder->join();
    EXPECT_GT(flooder->sent(), 64u << 10) << "a flooder hardly sent";
  }
  EXPECT_GT(said, 10);
  EXPECT_EQ(late, 0) << late << " of " << said << " lines late (ms):" << lateness;
  expect_clean_stop(server.process);
}

TEST(ChatLoad, FloodsOfLongLinesCostBoundedMemory) {
  // Four clients that never read flood lines of 64 KB: each client's queue holds at most 1 MiB
  // (and the messages in it are shared with every other queue), each reader at most one line.
  constexpr int kFlooders = 4;
  constexpr long kBoundKib = kFlooders * 4 * 1024 + 8 * 1024 + (kSanitized ? 8 * 1024 : 0);
  auto server = start_server("chat", {}, options_for_measuring_memory());
  auto polite = join(server.port);
  polite.tcp.send("warm up\n");
  ASSERT_EQ(polite.tcp.read_line(2s), polite.name + ": warm up");
  const long before = resident_kib(server.process.pid());
  std::string pattern(65535, 'w');
  pattern += '\n';
  std::vector<std::unique_ptr<Flooder>> flooders;
  for (int i = 0; i < kFlooders; ++i) {
    flooders.push_back(std::make_unique<Flooder>(server.port, pattern, 3s));
  }
  long peak = 0;
  std::size_t polite_bytes = 0;
  const auto end = steady_clock::now() + 3s;
  while (steady_clock::now() < end) {
    polite_bytes += polite.tcp.read_available().size();  // one client keeps up
    peak = std::max(peak, resident_kib(server.process.pid()));
    std::this_thread::sleep_for(20ms);
  }
  for (auto& flooder : flooders) flooder->join();
  for (int i = 0; i < kFlooders; ++i) {
    EXPECT_GT(flooders[i]->sent(), std::size_t{1} << 20) << "flooder " << i << " sent too little";
  }
  EXPECT_GT(polite_bytes, std::size_t{1} << 20) << "the reading client got little of the flood";
  EXPECT_LT(peak - before, kBoundKib)
      << "VmRSS " << before << " KiB before, " << peak << " KiB at the peak";
  expect_clean_stop(server.process);
}

TEST(ChatLoad, PausesAcceptingWhenOutOfDescriptorsAndServesAgainAfter) {
  testsupport::ChildOptions utc;
  auto server = ChildProcess::start(
      {"prlimit", "--nofile=128:128", testsupport::bin("chat"), "-port", "0"}, utc);
  const auto port = server.wait_for_listening();
  std::vector<TcpClient> clients;
  for (int i = 0; i < 300; ++i) clients.push_back(TcpClient::connect(port));
  ASSERT_TRUE(server.wait_for_stderr_line("too many open files; pausing", 3s))
      << server.stderr_text();
  std::this_thread::sleep_for(300ms);
  const auto cpu_before = cpu_time(server.pid());
  std::this_thread::sleep_for(2s);
  const auto cpu_used = cpu_time(server.pid()) - cpu_before;
  EXPECT_LT(cpu_used, 100ms) << "CPU while out of descriptors (5 % of 2 s)";
  clients.erase(clients.begin(), clients.begin() + 250);
  auto& waiting = clients.back();
  const auto greeting = waiting.read_line(5s);
  ASSERT_TRUE(greeting) << "the last client was never served";
  EXPECT_TRUE(greeting->starts_with("You are ")) << *greeting;
  server.signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(3s), 0);
  expect_no_sanitizer_report_but_vptr_probes(server);
}

TEST(ChatLoad, KeepsNoTraceOfThreeThousandConnections) {
  // Connect, perhaps talk, and leave in every way (close, reset, half-close, half-close after a
  // line without "\n"), 3,000 times in three batches, with a member who hears it all: afterwards
  // the server holds the descriptors it held before and still serves.
  auto server = start_server("chat", {}, options_for_measuring_memory());
  const pid_t pid = server.process.pid();
  auto member = join(server.port);
  const long fds_before = open_descriptors(pid);
  long rss_before = 0;
  std::atomic<bool> listening = true;
  std::jthread hear([&] {
    while (listening) {
      member.tcp.read_available();
      std::this_thread::sleep_for(5ms);
    }
  });
  for (int batch = 0; batch < 3; ++batch) {
    for (int i = 0; i < 1000; ++i) {
      auto client = TcpClient::connect(server.port);
      switch (i % 5) {
        case 0:
          client.close();
          break;
        case 1:
          client.send("hello\n");
          client.read_line(1s);
          client.close();
          break;
        case 2:
          client.reset();
          break;
        case 3:
          client.shutdown_write();
          client.wait_eof(1s);
          break;
        default:
          client.send("last");
          client.shutdown_write();
          client.wait_eof(1s);
          break;
      }
    }
    const auto deadline = steady_clock::now() + 5s;
    while (open_descriptors(pid) > fds_before + 16 && steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
    }
    EXPECT_LE(open_descriptors(pid), fds_before + 16) << "batch " << batch;
    if (batch == 0) rss_before = resident_kib(pid);
  }
  listening = false;
  hear.join();
  member.tcp.send("still there?\n");
  EXPECT_TRUE(heard(member.tcp, member.name + ": still there?", 3s));
  const long rss_after = resident_kib(pid);
  EXPECT_LT(rss_after - rss_before, 2 * 1024 + (kSanitized ? 8 * 1024 : 0))
      << "VmRSS " << rss_before << " KiB after the first batch, " << rss_after << " KiB after all";
  expect_clean_stop(server.process);
}

}  // namespace
}  // namespace e2e
