// reverb1 and reverb2 as users run them: over real loopback sockets, with nc.
#include <atomic>
#include <csignal>
#include <map>
#include <regex>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/programs.hpp"

namespace e2e {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using std::chrono::system_clock;

// How late a write may arrive after it is due: tens of milliseconds, with room for a sanitizer
// build on a busy machine.
constexpr auto kSlack = 150ms;

std::string ascii_upper(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

std::string ascii_lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

// The three echo lines of one line of input, as read_line returns them (without '\n').
std::vector<std::string> echo_lines(const std::string& upper, const std::string& line,
                                    const std::string& lower) {
  return {"\t " + upper, "\t " + line, "\t " + lower};
}

std::vector<std::string> echo_lines(const std::string& line) {
  return echo_lines(ascii_upper(line), line, ascii_lower(line));
}

// The same on the wire.
using e2e::echo_text;
std::string echo_text(const std::string& line) {
  return echo_text(ascii_upper(line), line, ascii_lower(line));
}

// What a client gets for `input` sent at once and followed by a half-close: everything up to the
// server's close.
std::string reply_to(std::uint16_t port, const std::string& input) {
  auto client = TcpClient::connect(port);
  client.send(input);
  client.shutdown_write();
  std::string output = client.read_until_eof(5s);
  EXPECT_TRUE(client.eof()) << "the server did not close after the half-close";
  return output;
}

// Sends lines of `line_size` bytes from a client that never reads, until the server takes
// nothing for half a second (it stopped reading) or 3 s have passed. Returns the bytes the server
// took.
std::size_t flood_until_stalled(TcpClient& flooder, std::size_t line_size = 1024) {
  std::string chunk;
  for (int i = 0; chunk.size() < (1 << 20); ++i) {
    std::string line = "Flood " + std::to_string(i) + " ";
    line.resize(line_size - 1, 'w');
    chunk += line + "\n";
  }
  constexpr std::size_t kMostBytes = std::size_t{512} << 20;
  const auto deadline = steady_clock::now() + 3s;
  std::size_t total = 0;
  std::size_t offset = 0;
  while (steady_clock::now() < deadline && total < kMostBytes) {
    const std::size_t n = flooder.send_some(std::string_view(chunk).substr(offset), 500ms);
    if (n == 0) break;
    total += n;
    offset = (offset + n) % chunk.size();
  }
  return total;
}

TEST(ReverbOne, ReproducesTheBooksTranscript) {
  auto server = start_server("reverb1", {"-delay", "200ms"});
  auto client = TcpClient::connect(server.port);
  client.send("Hello?\n");
  EXPECT_EQ(read_lines(client, 3, 2s), echo_lines("Hello?"));
  client.send("Is there anybody there?\n");
  EXPECT_EQ(client.read_line(1s), "\t IS THERE ANYBODY THERE?");
  client.send("Yooo-hooo!\n");
  // reverb1 reads the second shout only after the first echo has ended.
  EXPECT_EQ(read_lines(client, 5, 3s), (std::vector<std::string>{
                                           "\t Is there anybody there?",
                                           "\t is there anybody there?",
                                           "\t YOOO-HOOO!",
                                           "\t Yooo-hooo!",
                                           "\t yooo-hooo!",
                                       }));
  client.shutdown_write();
  EXPECT_EQ(client.read_until_eof(2s), "") << "nothing more than the transcript";
  EXPECT_TRUE(client.eof());
  expect_clean_stop(server.process);
}

TEST(ReverbTwo, ReproducesTheBooksTranscript) {
  // The book's page: the second shout comes while the middle of the first echo is still out, and
  // its echo starts at once: A-up, A, B-up, A-low, B, B-low. B is sent half a delay after A's
  // middle echo, so every line is due half a delay (200 ms) away from its neighbours.
  constexpr auto kDelay = 400ms;
  auto server = start_server("reverb2", {"-delay", "400ms"});
  auto client = TcpClient::connect(server.port);
  client.send("Is there anybody there?\n");
  EXPECT_EQ(client.read_line(kDelay + kSlack), "\t IS THERE ANYBODY THERE?");
  EXPECT_EQ(client.read_line(kDelay + kSlack), "\t Is there anybody there?");
  std::this_thread::sleep_for(kDelay / 2);
  client.send("Yooo-hooo!\n");
  EXPECT_EQ(read_lines(client, 4, 3s), (std::vector<std::string>{
                                           "\t YOOO-HOOO!",
                                           "\t is there anybody there?",
                                           "\t Yooo-hooo!",
                                           "\t yooo-hooo!",
                                       }));
  expect_clean_stop(server.process);
}

TEST(ReverbTwo, StartsAnEchoAtOnceWhileAnEarlierEchoGoesOn) {
  // B is sent half a delay after A's first echo: their echoes interleave, 200 ms apart.
  constexpr auto kDelay = 400ms;
  auto server = start_server("reverb2", {"-delay", "400ms"});
  auto client = TcpClient::connect(server.port);
  client.send("Is there anybody there?\n");
  const auto first = client.read_timed_line(kDelay + kSlack);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->text, "\t IS THERE ANYBODY THERE?");
  std::this_thread::sleep_for(kDelay / 2);
  const auto sent = system_clock::now();
  client.send("Yooo-hooo!\n");
  const auto shout = client.read_timed_line(kSlack + 100ms);
  ASSERT_TRUE(shout) << "B's echo did not start at once";
  EXPECT_EQ(shout->text, "\t YOOO-HOOO!");
  EXPECT_LT(shout->at - sent, kSlack);
  EXPECT_EQ(read_lines(client, 4, 3s), (std::vector<std::string>{
                                           "\t Is there anybody there?",
                                           "\t Yooo-hooo!",
                                           "\t is there anybody there?",
                                           "\t yooo-hooo!",
                                       }));
  expect_clean_stop(server.process);
}

TEST(Reverb, PausesTheDelayBetweenTheThreePartsOfAnEcho) {
  constexpr auto kDelay = 300ms;
  for (const char* program : {"reverb1", "reverb2"}) {
    auto server = start_server(program, {"-delay", "300ms"});
    auto client = TcpClient::connect(server.port);
    const auto sent = system_clock::now();
    client.send("Hello?\n");
    std::vector<TcpClient::Line> parts;
    for (int i = 0; i < 3; ++i) {
      auto part = client.read_timed_line(kDelay + kSlack + 100ms);
      ASSERT_TRUE(part) << program << " part " << i;
      parts.push_back(*part);
    }
    EXPECT_EQ(parts[0].text, "\t HELLO?");
    EXPECT_EQ(parts[2].text, "\t hello?");
    EXPECT_LT(parts[0].at - sent, kSlack) << program << ": the shout comes at once";
    for (int i = 1; i < 3; ++i) {
      const auto gap = parts[i].at - parts[i - 1].at;
      EXPECT_GT(gap, kDelay - 50ms) << program << " part " << i;
      EXPECT_LT(gap, kDelay + kSlack) << program << " part " << i;
    }
    expect_clean_stop(server.process);
  }
}

// Five lines, then the half-close nc -N sends: all fifteen echo lines come, then the close.
void expect_every_echo_before_the_close(const char* program) {
  const std::vector<std::string> lines = {"One fish", "Two fish", "Red fish", "Blue fish",
                                          "Old fish"};
  auto server = start_server(program, {"-delay", "100ms"});
  auto client = TcpClient::connect(server.port);
  std::string input;
  for (const auto& line : lines) input += line + "\n";
  client.send(input);
  client.shutdown_write();
  const auto output = split_lines(client.read_until_eof(5s));
  EXPECT_TRUE(client.eof()) << "no close after the echoes";
  EXPECT_FALSE(client.was_reset());
  ASSERT_EQ(output.size(), 15u) << testing::PrintToString(output);
  if (std::string(program) == "reverb1") {
    std::vector<std::string> expected;
    for (const auto& line : lines) {
      for (auto& part : echo_lines(line)) expected.push_back(part);
    }
    EXPECT_EQ(output, expected);
  } else {
    // Echoes overlap: each line's three parts in order, all of them exactly once.
    for (const auto& line : lines) {
      std::vector<std::size_t> at;
      for (const auto& part : echo_lines(line)) {
        EXPECT_EQ(std::count(output.begin(), output.end(), part), 1) << part;
        at.push_back(std::find(output.begin(), output.end(), part) - output.begin());
      }
      EXPECT_TRUE(at[0] < at[1] && at[1] < at[2]) << line << testing::PrintToString(output);
    }
  }
  expect_clean_stop(server.process);
}

TEST(ReverbOne, ServesEachConnectionOnItsOwnCoroutine) {
  // Echoes are sequential within a connection, not across connections: a second client is
  // answered at once while the first one's echo is still going on.
  auto server = start_server("reverb1", {"-delay", "500ms"});
  auto first = TcpClient::connect(server.port);
  auto second = TcpClient::connect(server.port);
  first.send("one\n");
  ASSERT_EQ(first.read_line(1s), "\t ONE");
  const auto sent = system_clock::now();
  second.send("two\n");
  const auto shout = second.read_timed_line(1s);
  ASSERT_TRUE(shout);
  EXPECT_EQ(shout->text, "\t TWO");
  EXPECT_LT(shout->at - sent, 250ms) << "the second client waited for the first one's echo";
  EXPECT_EQ(read_lines(first, 2, 2s), (std::vector<std::string>{"\t one", "\t one"}));
  expect_clean_stop(server.process);
}

TEST(ReverbOne, FinishesPendingEchoesAfterHalfClose) {
  expect_every_echo_before_the_close("reverb1");
}

TEST(ReverbTwo, FinishesPendingEchoesAfterHalfClose) {
  expect_every_echo_before_the_close("reverb2");
}

// Runs each input on a connection of its own, on both servers, and compares the output byte for
// byte.
void expect_exchanges(const std::vector<std::pair<std::string, std::string>>& cases) {
  for (const char* program : {"reverb1", "reverb2"}) {
    auto server = start_server(program, {"-delay", "20ms"});
    for (const auto& [input, expected] : cases) {
      EXPECT_EQ(reply_to(server.port, input), expected)
          << program << " input " << testing::PrintToString(input);
    }
    expect_clean_stop(server.process);
  }
}

TEST(Reverb, DropsOneCarriageReturnBeforeTheNewline) {
  expect_exchanges({
      {"Crlf\r\n", echo_text("Crlf")},
      {"Two\r\r\n", echo_text("TWO\r", "Two\r", "two\r")},
      {"In\rside\n", echo_text("IN\rSIDE", "In\rside", "in\rside")},
  });
}

TEST(Reverb, EchoesALastLineWithoutNewlineAtEof) {
  expect_exchanges({
      {"Last", echo_text("Last")},
      {"Last\r", echo_text("Last")},
  });
}

// The server must close after a last line without "\n" however the bytes and the FIN arrive, in
// one read or in two (a socket read again after EOF never completes: FIELD-NOTES), so many tries,
// some with a pause that puts the FIN in a read of its own.
TEST(Reverb, ClosesAfterALastLineWithoutNewlineHoweverTheFinArrives) {
  for (const char* program : {"reverb1", "reverb2"}) {
    auto server = start_server(program, {"-delay", "0"});
    for (int attempt = 0; attempt < 30; ++attempt) {
      const bool two_lines = attempt % 2 == 1;
      auto client = TcpClient::connect(server.port);
      client.send(two_lines ? "one\ntwo" : "Last");
      if (attempt % 3 == 1) std::this_thread::sleep_for(20ms);
      client.shutdown_write();
      auto lines = split_lines(client.read_until_eof(3s));
      ASSERT_TRUE(client.eof()) << program << " did not close, attempt " << attempt;
      std::vector<std::string> expected = echo_lines(two_lines ? "one" : "Last");
      if (two_lines) {
        for (auto& line : echo_lines("two")) expected.push_back(line);
      }
      // reverb2's echoes overlap: the same lines, in an order of its own.
      std::sort(lines.begin(), lines.end());
      std::sort(expected.begin(), expected.end());
      EXPECT_EQ(lines, expected) << program << ", attempt " << attempt;
    }
    expect_clean_stop(server.process);
  }
}

TEST(Reverb, EchoesAnEmptyLineAsThreeEmptyEchoes) {
  expect_exchanges({
      {"\n", "\t \n\t \n\t \n"},
      {"\r\n", "\t \n\t \n\t \n"},
      {"\n\n", "\t \n\t \n\t \n\t \n\t \n\t \n"},
  });
}

TEST(Reverb, MapsCaseAsGoDoes) {
  expect_exchanges({
      {"¿qué? straße ΑΒΓ\n", echo_text("¿QUÉ? STRAßE ΑΒΓ", "¿qué? straße ΑΒΓ", "¿qué? straße αβγ")},
      {"Señor Привет ǆ ς\n", echo_text("SEÑOR ПРИВЕТ Ǆ Σ", "Señor Привет ǆ ς", "señor привет ǆ ς")},
  });
}

TEST(Reverb, ReplacesInvalidBytesOnlyInTheUpperAndLowerEchoes) {
  // Go's ToUpper / ToLower turn each invalid byte into U+FFFD (EF BF BD), one per byte, and keep
  // a real U+FFFD; the middle echo is the line as sent.
  expect_exchanges({
      {"a\xff"
       "b\n",
       echo_text("A\xEF\xBF\xBD"
                 "B",
                 "a\xff"
                 "b",
                 "a\xEF\xBF\xBD"
                 "b")},
      {"x\xe2\x82 \xc3(\n", echo_text("X\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD(", "x\xe2\x82 \xc3(",
                                      "x\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD(")},
      {"\xEF\xBF\xBDok\n", echo_text("\xEF\xBF\xBDOK", "\xEF\xBF\xBDok", "\xEF\xBF\xBDok")},
  });
}

TEST(ReverbTwo, WritesEveryEchoLineWholeToASlowReader) {
  // 300 lines of 8 KiB echo at the same moments, so their writes compete; a small receive buffer
  // and a late start make every write of the server partial.
  constexpr int kLines = 300;
  constexpr std::size_t kLength = 8192;
  for (const char* threads : {"1", "2"}) {
    auto server = start_server("reverb2", {"-delay", "100ms", "-threads", threads});
    std::string input;
    std::map<std::string, int> expected;  // echo line -> times it is still due
    for (int i = 0; i < kLines; ++i) {
      std::string line = "Line " + std::to_string(i) + " ";
      const char lower = static_cast<char>('a' + i % 26);
      const char upper = static_cast<char>('A' + i % 26);
      while (line.size() < kLength) line += line.size() % 2 ? lower : upper;
      input += line + "\n";
      for (const auto& part : echo_lines(line)) ++expected[part];
    }
    auto client = TcpClient::connect(server.port, "127.0.0.1", 16384);
    client.send(input, 10s);
    client.shutdown_write();
    std::this_thread::sleep_for(300ms);
    const std::string output = client.read_until_eof(10s);
    EXPECT_TRUE(client.eof()) << threads << " threads: no close after the echoes";
    EXPECT_EQ(output.size(), 3 * kLines * (kLength + 3)) << threads << " threads";
    EXPECT_TRUE(output.empty() || output.back() == '\n');
    int torn = 0;
    for (const auto& line : split_lines(output)) {
      auto due = expected.find(line);
      if (due == expected.end() || due->second == 0) {
        if (++torn <= 3) {
          ADD_FAILURE() << threads << " threads: unexpected line of " << line.size()
                        << " bytes: " << line.substr(0, 40) << "...";
        }
      } else {
        --due->second;
      }
    }
    EXPECT_EQ(torn, 0) << threads << " threads: torn or repeated lines";
    const auto missing =
        std::count_if(expected.begin(), expected.end(), [](const auto& e) { return e.second; });
    EXPECT_EQ(missing, 0) << threads << " threads: echo lines that never came";
    expect_clean_stop(server.process);
  }
}

TEST(Reverb, EndsOnlyTheConnectionWithAnOverlongLine) {
  for (const char* program : {"reverb1", "reverb2"}) {
    auto server = start_server(program, {"-delay", "100ms", "-max-line", "100"});
    auto bystander = TcpClient::connect(server.port);
    bystander.send("Still here?\n");
    ASSERT_EQ(bystander.read_line(1s), "\t STILL HERE?") << program;
    auto offender = TcpClient::connect(server.port);
    offender.send("Before\n" + std::string(200, 'x') + "\n");
    // The echo of the line before it, then the end (a reset if unread bytes were left is fine).
    EXPECT_EQ(offender.read_until_eof(3s), echo_text("Before")) << program;
    EXPECT_TRUE(offender.eof()) << program;
    const auto warning = server.process.wait_for_stderr_line("longer than", 1s);
    EXPECT_TRUE(warning) << program << ": " << server.process.stderr_text();
    // The other client goes on being served.
    EXPECT_EQ(read_lines(bystander, 2, 1s),
              (std::vector<std::string>{"\t Still here?", "\t still here?"}))
        << program;
    bystander.send("And now?\n");
    EXPECT_EQ(read_lines(bystander, 3, 1s), echo_lines("And now?")) << program;
    expect_clean_stop(server.process);
  }
}

TEST(ReverbTwo, RateLimitsTheOverlongLineWarning) {
  auto server = start_server("reverb2", {"-delay", "0", "-max-line", "10"});
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

TEST(Reverb, AcceptsALineOfExactlyMaxLineBytes) {
  // The line end is not counted: 100 bytes and a newline pass -max-line 100.
  const std::string line(100, 'y');
  for (const char* program : {"reverb1", "reverb2"}) {
    auto server = start_server(program, {"-delay", "20ms", "-max-line", "100"});
    EXPECT_EQ(reply_to(server.port, line + "\n"), echo_text(line)) << program;
    expect_clean_stop(server.process);
  }
}

TEST(ReverbTwo, ClosesAConnectionThatSendsNothingForTheIdleTimeout) {
  auto server = start_server("reverb2", {"-delay", "100ms", "-idle-timeout", "500ms"});
  const auto connected = steady_clock::now();
  auto client = TcpClient::connect(server.port);
  EXPECT_TRUE(client.wait_eof(1500ms));
  EXPECT_GT(steady_clock::now() - connected, 400ms) << "closed before it was idle that long";
  expect_clean_stop(server.process);
}

TEST(ReverbTwo, KeepsAConnectionThatCompletesALineWithinTheIdleTimeout) {
  constexpr int kLines = 8;  // one every 200 ms: 1.6 s, three idle timeouts
  auto server = start_server("reverb2", {"-delay", "50ms", "-idle-timeout", "500ms"});
  auto client = TcpClient::connect(server.port);
  const auto start = steady_clock::now();
  for (int i = 0; i < kLines; ++i) {
    client.send("Ping " + std::to_string(i) + "\n");
    std::this_thread::sleep_until(start + (i + 1) * 200ms);
  }
  const auto echoes = read_lines(client, 3 * kLines, 1s);
  EXPECT_EQ(echoes.size(), 3u * kLines) << "closed while the client was busy";
  EXPECT_FALSE(client.eof());
  // Once the client falls silent, the timeout applies again.
  EXPECT_TRUE(client.wait_eof(1500ms));
  expect_clean_stop(server.process);
}

TEST(ReverbTwo, FinishesPendingEchoesBeforeAnIdleClose) {
  // The echo takes 800 ms, the idle timeout fires after 300 ms.
  auto server = start_server("reverb2", {"-delay", "400ms", "-idle-timeout", "300ms"});
  auto client = TcpClient::connect(server.port);
  client.send("Hello?\n");
  EXPECT_EQ(read_lines(client, 3, 2s), echo_lines("Hello?"));
  EXPECT_TRUE(client.wait_eof(1s)) << "the idle connection was not closed after its echo";
  expect_clean_stop(server.process);
}

TEST(ReverbTwo, KeepsAtMost1024EchoesPendingPerConnection) {
  // 1500 lines at once. Only 1024 echoes may start; the others wait until the first ones end, two
  // delays (1 s) later. So in the first 850 ms at most 1024 shouts arrive.
  constexpr int kLines = 1500;
  auto server = start_server("reverb2", {"-delay", "500ms"});
  auto client = TcpClient::connect(server.port);
  std::string input;
  for (int i = 0; i < kLines; ++i) input += "Xy" + std::to_string(i) + "\n";
  const auto sent = steady_clock::now();
  client.send(input);
  client.shutdown_write();
  std::this_thread::sleep_until(sent + 850ms);
  std::string early = client.read_available();
  std::string rest = early.substr(early.rfind('\n') + 1);
  early.resize(early.size() - rest.size());
  const auto early_lines = split_lines(early);
  const auto shouts =
      std::count_if(early_lines.begin(), early_lines.end(),
                    [](const std::string& line) { return line.starts_with("\t XY"); });
  EXPECT_GT(shouts, 0);
  EXPECT_LE(shouts, 1024);
  // And the rest is not lost: every echo comes in the end.
  rest += client.read_until_eof(5s);
  EXPECT_TRUE(client.eof());
  EXPECT_EQ(early_lines.size() + split_lines(rest).size(), 3u * kLines);
  expect_clean_stop(server.process);
}

TEST(ReverbTwo, FloodFromAClientThatNeverReadsCostsBoundedMemory) {
  // Per connection at most 1024 echoes are pending. With lines of 1 KiB, each pending echo holds
  // the line, its upper- and lower-case copies and a coroutine frame with a timer: a few KiB, so
  // 1024 of them take under 8 MiB, plus one line buffer of -max-line (64 KiB). 64 MiB leaves room
  // for allocator slack and sanitizer redzones, and is far below what a server that kept reading
  // (up to 512 MiB in 3 s) would hold.
  constexpr long kBoundKib = 64 * 1024;
  auto server = start_server("reverb2", {"-delay", "100ms"});
  ASSERT_EQ(reply_to(server.port, "Warm up\n"), echo_text("Warm up"));
  const long before = resident_kib(server.process.pid());
  ASSERT_GT(before, 0);
  auto flooder = TcpClient::connect(server.port, "127.0.0.1", 4096);
  const std::size_t flooded = flood_until_stalled(flooder);
  std::this_thread::sleep_for(200ms);
  const long after = resident_kib(server.process.pid());
  EXPECT_GT(flooded, std::size_t{1} << 20) << "too little sent to fill 1024 echoes";
  EXPECT_LT(after - before, kBoundKib) << "VmRSS " << before << " KiB before, " << after
                                       << " KiB after " << flooded << " bytes of flood";
  expect_clean_stop(server.process);
}

// A connection holds at most 1 MiB of pending shouts, so four flooders of 64 KiB lines cost what
// SECURITY.md states (under 4 MiB each), and the memory goes back to the system once they leave.
TEST(ReverbTwo, FloodsOfLongLinesCostBoundedMemoryGivenBackWhenTheyEnd) {
  constexpr int kFlooders = 4;
  constexpr long kBoundKib = kFlooders * 4 * 1024 + 8 * 1024;  // and 8 MiB of allocator slack
  auto server = start_server("reverb2", {"-delay", "100ms", "-log-level", "debug"},
                             options_for_measuring_memory());
  ASSERT_EQ(reply_to(server.port, "Warm up\n"), echo_text("Warm up"));
  const long before = resident_kib(server.process.pid());
  ASSERT_GT(before, 0);
  std::vector<TcpClient> flooders;
  for (int i = 0; i < kFlooders; ++i) {
    flooders.push_back(TcpClient::connect(server.port, "127.0.0.1", 4096));
  }
  std::vector<std::size_t> flooded(kFlooders);
  {
    std::vector<std::jthread> floods;
    for (int i = 0; i < kFlooders; ++i) {
      floods.emplace_back([&, i] { flooded[i] = flood_until_stalled(flooders[i], 64 * 1024); });
    }
  }
  const long during = resident_kib(server.process.pid());
  for (int i = 0; i < kFlooders; ++i) {
    EXPECT_GT(flooded[i], std::size_t{1} << 20) << "flooder " << i << " sent too little";
  }
  EXPECT_LT(during - before, kBoundKib)
      << "VmRSS " << before << " KiB before, " << during << " KiB during the floods";

  for (auto& flooder : flooders) flooder.reset();
  for (int i = 0; i < kFlooders + 1; ++i) {  // the warm-up's close, then the flooders'
    ASSERT_TRUE(server.process.wait_for_stderr_line("close 127.0.0.1", 5s)) << i;
  }
  // Given back by one trim for all of them, once the loop has ended them all.
  long after = 0;
  const bool given_back = eventually(
      [&] {
        after = resident_kib(server.process.pid());
        return after - before < 4 * 1024;
      },
      2s);
  if (!kSanitized) {  // ASan's allocator keeps what it freed
    EXPECT_TRUE(given_back) << "VmRSS " << before << " KiB before, " << during << " KiB during, "
                            << after << " KiB after the floods";
  }
  expect_clean_stop(server.process);
}

// Issue 22: 3,000 connections each send 64 KiB without a newline, then all close. Each line
// buffer, and the echo of the partial line, was freed into the allocator's heap, which kept
// them (about 145 MiB over the start size for good); now any connection whose buffers held 64 KiB
// asks for a trim at its end, batched, so an idle server returns near its start size.
TEST(ReverbTwo, GivesMemoryBackAfterThreeThousandPartialLongLines) {
  auto server = start_server("reverb2", {"-log-level", "debug"}, options_for_measuring_memory());
  ASSERT_EQ(reply_to(server.port, "Warm up\n"), echo_text("Warm up"));
  expect_memory_given_back_after_partial_lines(server, 1);
  EXPECT_EQ(reply_to(server.port, "Still here\n"), echo_text("Still here"));
  expect_clean_stop(server.process);
}

// A client that takes none of its echoes is dropped once a write has been stuck for
// -write-timeout: reading stops for good, the pending echoes end, the connection closes.
TEST(ReverbTwo, DropsAClientThatTakesNoEchoesAfterTheWriteTimeout) {
  auto server =
      start_server("reverb2", {"-delay", "0s", "-write-timeout", "1s", "-log-level", "debug"});
  auto flooder = TcpClient::connect(server.port, "127.0.0.1", 4096);
  flood_until_stalled(flooder, 64 * 1024);
  const auto dropped = server.process.wait_for_stderr_line("timed out", 10s);
  ASSERT_TRUE(dropped) << server.process.stderr_text();
  EXPECT_TRUE(std::regex_search(*dropped, std::regex(R"(close 127\.0\.0\.1:\d+: )"))) << *dropped;
  EXPECT_TRUE(flooder.wait_eof(5s));
  expect_clean_stop(server.process);
}

TEST(ReverbTwo, FloodFromAClientThatNeverReadsDoesNotDelayAnother) {
  auto server = start_server("reverb2", {"-delay", "100ms"});
  std::atomic<bool> flooding = true;
  std::atomic<bool> measured = false;
  std::jthread flood([&] {
    try {
      auto flooder = TcpClient::connect(server.port, "127.0.0.1", 4096);
      flood_until_stalled(flooder);
      flooding = false;
      // Stays connected and stalled while the other client is measured.
      for (int i = 0; i < 500 && !measured; ++i) std::this_thread::sleep_for(10ms);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "flood: " << e.what();
      flooding = false;
    }
  });
  // While the flood goes on, and after it has stalled: each time a new client, whose first echo
  // must come at once.
  int after_the_flood = 0;
  const auto deadline = steady_clock::now() + 6s;
  for (int i = 0; i < 100 && after_the_flood < 3 && steady_clock::now() < deadline; ++i) {
    const bool during = flooding;
    after_the_flood += !during;
    auto other = TcpClient::connect(server.port);
    const auto sent = system_clock::now();
    other.send("Ping " + std::to_string(i) + "\n");
    const auto shout = other.read_timed_line(1s);
    if (!shout) {
      ADD_FAILURE() << "no echo of ping " << i;
      break;
    }
    EXPECT_EQ(shout->text, "\t PING " + std::to_string(i));
    EXPECT_LT(shout->at - sent, 150ms)
        << "ping " << i << (during ? " during" : " after") << " the flood";
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(after_the_flood, 3) << "the flood never stalled";
  measured = true;
  flood.join();
  expect_clean_stop(server.process);
}

TEST(ReverbTwo, RealNcWithHalfClosePrintsAllThreeEchoes) {
  auto server = start_server("reverb2", {"-delay", "100ms"});
  auto nc = ChildProcess::start({"nc", "-N", "127.0.0.1", std::to_string(server.port)});
  nc.write_stdin("Hello?\n");
  nc.close_stdin();
  EXPECT_EQ(nc.read_stdout_until_eof(3s), echo_text("Hello?")) << nc.stderr_text();
  EXPECT_EQ(nc.wait_exit(2s), 0) << nc.stderr_text();
  expect_clean_stop(server.process);
}

TEST(ReverbTwo, EchoesAtOnceWithDelayZero) {
  auto server = start_server("reverb2", {"-delay", "0"});
  auto client = TcpClient::connect(server.port);
  client.send("Hello?\n");
  EXPECT_EQ(read_lines(client, 3, 500ms), echo_lines("Hello?"));
  client.send("One\nTwo\n");
  client.shutdown_write();
  auto rest = split_lines(client.read_until_eof(1s));
  EXPECT_TRUE(client.eof());
  std::sort(rest.begin(), rest.end());
  std::vector<std::string> expected = echo_lines("One");
  for (const auto& part : echo_lines("Two")) expected.push_back(part);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(rest, expected);
  expect_clean_stop(server.process);
}

TEST(ReverbTwo, LogsAcceptAndCloseAtDebugLevel) {
  auto server = start_server("reverb2", {"-delay", "20ms", "-log-level", "debug"});
  auto client = TcpClient::connect(server.port);
  EXPECT_TRUE(server.process.wait_for_stderr_line(
      std::regex(R"(^reverb2: debug: accept 127\.0\.0\.1:\d+$)"), 1s))
      << server.process.stderr_text();
  client.close();
  EXPECT_TRUE(server.process.wait_for_stderr_line(
      std::regex(R"(^reverb2: debug: close 127\.0\.0\.1:\d+: .+)"), 1s))
      << server.process.stderr_text();
  expect_clean_stop(server.process);
}

// SECURITY.md: client bytes are never a format string and never logged, at any level, whatever
// ends the connection (an over-long line, a reset, an idle timeout).
TEST(ReverbTwo, NeverLogsWhatAClientSends) {
  auto server = start_server("reverb2", {"-delay", "0", "-max-line", "64", "-idle-timeout", "200ms",
                                         "-log-level", "trace"});
  const std::string hostile = "SECRET {} {:>99999} %s%n \x1b[2J\x1b]0;title\x07";
  {
    auto client = TcpClient::connect(server.port);
    client.send(hostile + "\n" + hostile + std::string(100, 'x') + "\n");
    EXPECT_TRUE(client.wait_eof(3s));
  }
  {
    auto client = TcpClient::connect(server.port);
    client.send(hostile + "\n");
    EXPECT_TRUE(client.read_line(1s));
    client.reset();
  }
  {
    auto client = TcpClient::connect(server.port);
    client.send(hostile);  // no newline: the idle timeout ends it
    EXPECT_TRUE(client.wait_eof(3s));
  }
  ASSERT_TRUE(server.process.wait_for_stderr_line("no line for 200ms", 2s))
      << server.process.stderr_text();
  expect_clean_stop(server.process);
  const std::string err = server.process.stderr_text();
  EXPECT_EQ(err.find("SECRET"), std::string::npos) << err;
  EXPECT_EQ(err.find('\x1b'), std::string::npos) << err;
  EXPECT_NE(err.find("longer than 64 bytes"), std::string::npos) << err;
}

TEST(Reverb, BadFlagValuesExitTwoWithOneLine) {
  for (const char* program : {"reverb1", "reverb2"}) {
    for (const std::vector<std::string>& args : {std::vector<std::string>{"-delay", "abc"},
                                                 {"-delay", "1"},
                                                 {"-max-line", "0"},
                                                 {"-max-line", "many"},
                                                 {"-idle-timeout", "-1s"},
                                                 {"-write-timeout", "soon"}}) {
      auto reverb = start_program(program, args);
      EXPECT_EQ(reverb.wait_exit(3s), 2) << program << " " << args[0] << " " << args[1];
      const std::string err = reverb.stderr_text();
      EXPECT_TRUE(std::regex_match(err, std::regex(std::string(program) + ": [^\n]+\n")))
          << program << " " << args[0] << " " << args[1] << ": " << err;
    }
  }
}

TEST(Reverb, ExitsZeroWithinASecondOnSigtermWithConnectionsOpen) {
  for (const char* program : {"reverb1", "reverb2"}) {
    // Echoes pending for the next ten seconds do not hold the server up.
    auto server = start_server(program, {"-delay", "10s"});
    std::vector<TcpClient> clients;
    for (int i = 0; i < 3; ++i) {
      clients.push_back(TcpClient::connect(server.port));
      clients.back().send("Hello?\n");
    }
    for (auto& client : clients) ASSERT_EQ(client.read_line(1s), "\t HELLO?") << program;
    server.process.signal(SIGTERM);
    EXPECT_EQ(server.process.wait_exit(1s), 0) << program;
    for (auto& client : clients) {
      EXPECT_TRUE(client.wait_eof(1s)) << program << ": open connections are closed";
    }
    expect_no_sanitizer_report(server.process);
  }
}

}  // namespace
}  // namespace e2e
