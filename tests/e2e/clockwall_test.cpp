// clockwall against real clock2 servers in three zones, through pipes and a pseudo-terminal.
#include <fcntl.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <ctime>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "tests/e2e/programs.hpp"
#include "tests/e2e/test_servers.hpp"
#include "tests/support/screen.hpp"
#include "tests/support/terminal_session.hpp"

namespace e2e {
namespace {

using std::chrono::system_clock;

struct Zone {
  const char* name;
  const char* tz;
};
constexpr Zone kZones[] = {
    {"NewYork", "America/New_York"}, {"London", "Europe/London"}, {"Tokyo", "Asia/Tokyo"}};

Server start_clock(const char* tz, std::vector<std::string> args = {}) {
  testsupport::ChildOptions options;
  options.env = {{"TZ", tz}};
  return start_server("clock2", std::move(args), options);
}

// "Name=127.0.0.1:PORT" for each server, in order.
std::vector<std::string> wall_args(const std::vector<Server>& servers) {
  std::vector<std::string> args;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    args.push_back(std::string(kZones[i].name) + "=127.0.0.1:" + std::to_string(servers[i].port));
  }
  return args;
}

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

// Reads up to `rows` rows of the wall and returns the first whose London column (the second of
// three_clocks()) `wanted` accepts.
template <class Wanted>
std::optional<std::string> first_row_where(ChildProcess& wall, int rows, Wanted wanted) {
  for (int i = 0; i < rows; ++i) {
    const auto row = wall.read_stdout_line(2s);
    if (!row) {
      ADD_FAILURE() << "no row " << i << ": " << wall.stderr_text();
      return std::nullopt;
    }
    if (wanted(words(*row).at(1))) return row;
  }
  return std::nullopt;
}

bool shows_down(const std::string& cell) { return cell == "down"; }

// The time of day in `tz` at `at`, worked out here, independently of the servers.
std::string time_in(const char* tz, system_clock::time_point at) {
  const char* saved = std::getenv("TZ");
  const std::string old = saved != nullptr ? saved : "";
  ::setenv("TZ", tz, 1);
  ::tzset();
  const std::time_t t = system_clock::to_time_t(at);
  std::tm local{};
  ::localtime_r(&t, &local);
  char text[16];
  const std::string shown(text, std::strftime(text, sizeof text, "%H:%M:%S", &local));
  if (saved != nullptr) {
    ::setenv("TZ", old.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
  return shown;
}

void expect_time_of_zone(const std::string& shown, const char* tz, system_clock::time_point at) {
  EXPECT_TRUE(shown == time_in(tz, at - 1s) || shown == time_in(tz, at) ||
              shown == time_in(tz, at + 1s))
      << tz << " shows " << shown << ", expected about " << time_in(tz, at);
}

std::vector<Server> three_clocks() {
  std::vector<Server> servers;
  for (const Zone& zone : kZones) servers.push_back(start_clock(zone.tz));
  return servers;
}

TEST(Clockwall, OncePrintsEachClockInItsZone) {
  auto servers = three_clocks();
  std::vector<std::string> args = {"-once"};
  for (auto& arg : wall_args(servers)) args.push_back(arg);
  auto wall = start_program("clockwall", args);
  EXPECT_EQ(wall.wait_exit(5s), 0) << wall.stderr_text();
  const auto now = system_clock::now();
  const std::string out = wall.read_stdout_until_eof(1s);
  std::istringstream lines(out);
  std::string header, row, extra;
  std::getline(lines, header);
  std::getline(lines, row);
  EXPECT_FALSE(std::getline(lines, extra)) << out;
  EXPECT_EQ(words(header), (std::vector<std::string>{"NewYork", "London", "Tokyo"})) << out;
  // Each time stands under its name: the columns line up.
  EXPECT_EQ(header.find("London"), row.find(words(row).at(1))) << out;
  const auto times = words(row);
  ASSERT_EQ(times.size(), 3u) << out;
  for (std::size_t i = 0; i < 3; ++i) expect_time_of_zone(times[i], kZones[i].tz, now);
  for (auto& server : servers) expect_clean_stop(server.process);
}

TEST(Clockwall, PrintsOneWholeRowPerSecondIntoAPipe) {
  auto servers = three_clocks();
  auto wall = start_program("clockwall", wall_args(servers));
  const auto header = wall.read_stdout_line(2s);
  ASSERT_TRUE(header) << wall.stderr_text();
  EXPECT_EQ(words(*header), (std::vector<std::string>{"NewYork", "London", "Tokyo"}));
  std::vector<std::string> tokyo;
  for (int i = 0; i < 3; ++i) {
    const auto row = wall.read_stdout_line(2s);
    ASSERT_TRUE(row) << "row " << i;
    const auto times = words(*row);
    ASSERT_EQ(times.size(), 3u) << *row;
    for (std::size_t z = 0; z < 3; ++z)
      expect_time_of_zone(times[z], kZones[z].tz, system_clock::now());
    tokyo.push_back(times[2]);
  }
  EXPECT_NE(tokyo[0], tokyo[1]);
  EXPECT_NE(tokyo[1], tokyo[2]);
  wall.signal(SIGTERM);
  wall.wait_exit(2s);
  expect_no_sanitizer_report(wall);
  for (auto& server : servers) expect_clean_stop(server.process);
}

TEST(Clockwall, ShowsAClockDownWhileItIsAwayAndAgainWhenItIsBack) {
  auto servers = three_clocks();
  auto wall = start_program("clockwall", wall_args(servers));
  ASSERT_TRUE(wall.read_stdout_line(2s));  // header
  ASSERT_TRUE(wall.read_stdout_line(2s));  // a first row
  const std::uint16_t london_port = servers[1].port;
  expect_clean_stop(servers[1].process);

  // Down within a couple of seconds, while the others keep ticking.
  const auto down_row = first_row_where(wall, 4, shows_down);
  ASSERT_TRUE(down_row) << "London never showed down";
  const auto next = wall.read_stdout_line(2s);
  ASSERT_TRUE(next);
  EXPECT_EQ(words(*next).at(1), "down");
  EXPECT_NE(words(*next).at(2), words(*down_row).at(2)) << "Tokyo stopped ticking";

  // Back on the same port: the column ticks again (retries come 1s, 2s, 4s apart).
  servers[1] = start_clock("Europe/London", {"-port", std::to_string(london_port)});
  const auto back =
      first_row_where(wall, 10, [](const std::string& london) { return london != "down"; });
  if (back) expect_time_of_zone(words(*back).at(1), "Europe/London", system_clock::now());
  EXPECT_TRUE(back) << "London never came back";
  wall.signal(SIGTERM);
  wall.wait_exit(2s);
  expect_no_sanitizer_report(wall);
}

// A stopped server keeps its connections open and says nothing: silent for 5 s means down.
TEST(Clockwall, ShowsAConnectedButSilentClockDownAndAgainWhenItResumes) {
  auto servers = three_clocks();
  auto wall = start_program("clockwall", wall_args(servers));
  ASSERT_TRUE(wall.read_stdout_line(2s));  // header
  ASSERT_TRUE(wall.read_stdout_line(2s));  // a first row
  servers[1].process.signal(SIGSTOP);
  const auto stopped = std::chrono::steady_clock::now();

  const auto down_row = first_row_where(wall, 9, shows_down);
  ASSERT_TRUE(down_row) << "a silent London never showed down";
  EXPECT_GE(std::chrono::steady_clock::now() - stopped, 4s) << "down before 5 s of silence";

  servers[1].process.signal(SIGCONT);
  const auto back =
      first_row_where(wall, 10, [](const std::string& london) { return london != "down"; });
  if (back) expect_time_of_zone(words(*back).at(1), "Europe/London", system_clock::now());
  EXPECT_TRUE(back) << "London never came back after SIGCONT";
  wall.signal(SIGTERM);
  wall.wait_exit(2s);
  expect_no_sanitizer_report(wall);
  for (auto& server : servers) expect_clean_stop(server.process);
}

TEST(Clockwall, RedrawsTheRowInPlaceOnATerminalAndLeavesItCleanOnCtrlC) {
  auto servers = three_clocks();
  std::vector<std::string> argv = {testsupport::bin("clockwall")};
  for (auto& arg : wall_args(servers)) argv.push_back(arg);
  testsupport::TerminalSession terminal(argv);
  const int flags_before = ::fcntl(terminal.slave(), F_GETFL);
  // Three seconds of ticks: every change redraws the same line (\r), never a new one.
  const auto time = std::regex(R"(\d\d:\d\d:\d\d  +\d\d:\d\d:\d\d  +\d\d:\d\d:\d\d)");
  std::string screen;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::count(screen.begin(), screen.end(), '\r') < 8 &&
         std::chrono::steady_clock::now() < deadline) {
    screen = terminal.wait_for_screen("(more output)", 50ms);
  }
  const auto first_newline = screen.find('\n');
  ASSERT_NE(first_newline, std::string::npos) << screen;
  EXPECT_EQ(words(screen.substr(0, first_newline)),
            (std::vector<std::string>{"NewYork", "London", "Tokyo"}));
  const std::string rows = screen.substr(first_newline + 1);
  EXPECT_EQ(rows.find('\n'), std::string::npos) << "the table scrolled: " << rows;
  EXPECT_GE(std::count(rows.begin(), rows.end(), '\r'), 6) << rows;
  EXPECT_TRUE(std::regex_search(rows, time)) << rows;

  terminal.type("\x03");  // ^C
  EXPECT_EQ(terminal.wait_exit(2s), 128 + SIGINT);
  const std::string& last = terminal.screen();
  ASSERT_FALSE(last.empty());
  EXPECT_EQ(last.back(), '\n') << "the prompt would land on the table's row";
  EXPECT_EQ(::fcntl(terminal.slave(), F_GETFL), flags_before);
  EXPECT_EQ(last.find("Sanitizer"), std::string::npos) << last;
  EXPECT_EQ(last.find("runtime error"), std::string::npos) << last;
  for (auto& server : servers) expect_clean_stop(server.process);
}

// ---- on a terminal of a given width (issue 10) ---------------------------------------------

std::vector<std::string> wall_argv(const std::vector<Server>& servers) {
  std::vector<std::string> argv = {testsupport::bin("clockwall")};
  for (auto& arg : wall_args(servers)) argv.push_back(arg);
  return argv;
}

// The lines a terminal `columns` wide shows after `bytes` (those the terminal showed from
// `from` on), as soon as `wanted` accepts them; what it showed last if that does not come.
template <class Wanted>
std::vector<std::string> wait_for_lines(testsupport::TerminalSession& terminal, std::size_t columns,
                                        Wanted wanted, std::chrono::milliseconds timeout,
                                        std::string_view bytes_before = "", std::size_t from = 0) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    testsupport::Screen screen(columns);
    screen.feed(bytes_before);
    const std::string& shown = terminal.wait_for_screen("(never shown)", 20ms);
    if (from < shown.size()) screen.feed(std::string_view(shown).substr(from));
    auto lines = screen.lines();
    if (wanted(lines) || std::chrono::steady_clock::now() > deadline) return lines;
  }
}

const std::regex kThreeTimes(R"(\d\d:\d\d:\d\d  \d\d:\d\d:\d\d  \d\d:\d\d:\d\d)");
const std::regex kOneTimeAndMore(R"(\d\d:\d\d:\d\d  …)");
const std::string kWholeHeader = "NewYork   London    Tokyo";

bool shows_the_whole_table(const std::vector<std::string>& lines) {
  return lines.size() == 2 && lines[0] == kWholeHeader && std::regex_match(lines[1], kThreeTimes);
}

bool shows_one_column_and_more(const std::vector<std::string>& lines) {
  return lines.size() == 2 && lines[0] == "NewYork   …" &&
         std::regex_match(lines[1], kOneTimeAndMore);
}

void expect_ctrl_c_leaves_a_fresh_line(testsupport::TerminalSession& terminal) {
  terminal.type("\x03");  // ^C
  EXPECT_EQ(terminal.wait_exit(2s), 128 + SIGINT);
  const std::string& last = terminal.screen();
  ASSERT_FALSE(last.empty());
  EXPECT_EQ(last.back(), '\n') << "the prompt would land on the table's row";
  EXPECT_EQ(last.find("Sanitizer"), std::string::npos) << last;
  EXPECT_EQ(last.find("runtime error"), std::string::npos) << last;
}

// Three columns need 28; in 20, the row would wrap and each redraw scroll the header away.
TEST(Clockwall, KeepsTheColumnsThatFitANarrowTerminal) {
  auto servers = three_clocks();
  testsupport::TerminalSession terminal(wall_argv(servers), {20, 24});
  terminal.wait_for_screen("…", 3s);
  // Three seconds of ticks redrawn: still the two lines, cut to the window.
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < 3s) {
    const auto lines = wait_for_lines(terminal, 20, shows_one_column_and_more, 2s);
    ASSERT_TRUE(shows_one_column_and_more(lines)) << testing::PrintToString(lines);
  }
  expect_ctrl_c_leaves_a_fresh_line(terminal);
  for (auto& server : servers) expect_clean_stop(server.process);
}

// Where the wall redraws its header in place after the window changed size: the table as drawn
// for the new width starts there.
std::size_t header_redrawn_after(testsupport::TerminalSession& terminal, std::size_t from) {
  const std::string& shown = terminal.wait_for_screen("(never shown)", 0ms);
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  auto at = shown.find("\r\x1b[A", from);
  while (at == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    at = terminal.wait_for_screen("(never shown)", 20ms).find("\r\x1b[A", from);
  }
  return at;
}

TEST(Clockwall, FollowsTheTerminalsWidthAsItChanges) {
  auto servers = three_clocks();
  testsupport::TerminalSession terminal(wall_argv(servers), {80, 24});
  auto lines = wait_for_lines(terminal, 80, shows_the_whole_table, 3s);
  ASSERT_TRUE(shows_the_whole_table(lines)) << testing::PrintToString(lines);

  // Narrower: the header is redrawn with the columns that fit, and every redraw after it fits.
  std::size_t resized_at = terminal.screen().size();
  terminal.resize({20, 24});
  std::size_t redrawn = header_redrawn_after(terminal, resized_at);
  ASSERT_NE(redrawn, std::string::npos) << "no header redrawn after the window narrowed";
  // The cursor is on the row's line, under the header's.
  lines = wait_for_lines(terminal, 20, shows_one_column_and_more, 3s, "\n", redrawn);
  EXPECT_TRUE(shows_one_column_and_more(lines)) << testing::PrintToString(lines);

  // Wider again: every clock is back.
  resized_at = terminal.screen().size();
  terminal.resize({80, 24});
  redrawn = header_redrawn_after(terminal, resized_at);
  ASSERT_NE(redrawn, std::string::npos) << "no header redrawn after the window widened";
  lines = wait_for_lines(terminal, 80, shows_the_whole_table, 3s, "\n", redrawn);
  EXPECT_TRUE(shows_the_whole_table(lines)) << testing::PrintToString(lines);

  expect_ctrl_c_leaves_a_fresh_line(terminal);
  for (auto& server : servers) expect_clean_stop(server.process);
}

// Clocks that are all down redraw nothing by themselves: only the resize (SIGWINCH) can.
TEST(Clockwall, RedrawsAtOnceWhenTheWindowIsResized) {
  testsupport::TerminalSession terminal(
      {testsupport::bin("clockwall"), "A=nosuch.invalid:1", "B=nosuch.invalid:2"}, {80, 24});
  const auto all_down = [](const std::vector<std::string>& lines) {
    return lines.size() == 4 && lines[2] == "A         B" && lines[3] == "down      down";
  };
  auto lines = wait_for_lines(terminal, 80, all_down, 3s);
  ASSERT_TRUE(all_down(lines)) << testing::PrintToString(lines);
  const std::size_t resized_at = terminal.screen().size();
  terminal.resize({15, 24});
  const std::size_t redrawn = header_redrawn_after(terminal, resized_at);
  ASSERT_NE(redrawn, std::string::npos) << "no redraw after the window narrowed";
  lines = wait_for_lines(
      terminal, 15,
      [](const std::vector<std::string>& shown) {
        return shown == std::vector<std::string>{"A         …", "down      …"};
      },
      2s, "\n", redrawn);
  EXPECT_EQ(lines, (std::vector<std::string>{"A         …", "down      …"}));
  expect_ctrl_c_leaves_a_fresh_line(terminal);
}

// The log and the table share the terminal: each log line on a line of its own, above the table,
// which is redrawn whole under it (not written over, and its header not scrolled away).
TEST(Clockwall, PrintsLogLinesAboveTheTableAndRedrawsItUnderThem) {
  auto servers = three_clocks();
  testsupport::TerminalSession terminal(wall_argv(servers), {80, 24});
  auto lines = wait_for_lines(terminal, 80, shows_the_whole_table, 3s);
  ASSERT_TRUE(shows_the_whole_table(lines)) << testing::PrintToString(lines);

  const std::uint16_t london_port = servers[1].port;
  const std::string london = "clockwall: London (127.0.0.1:" + std::to_string(london_port) + "): ";
  expect_clean_stop(servers[1].process);
  const std::vector<std::string> down = {london + "connection closed", kWholeHeader};
  lines = wait_for_lines(
      terminal, 80,
      [&](const std::vector<std::string>& shown) {
        return shown.size() == 3 && std::equal(down.begin(), down.end(), shown.begin()) &&
               std::regex_match(shown[2], std::regex(R"(\d\d:\d\d:\d\d  down +\d\d:\d\d:\d\d)"));
      },
      4s);
  ASSERT_EQ(lines.size(), 3u) << testing::PrintToString(lines);
  EXPECT_EQ(lines[0], down[0]);

  servers[1] = start_clock("Europe/London", {"-port", std::to_string(london_port)});
  lines = wait_for_lines(
      terminal, 80,
      [&](const std::vector<std::string>& shown) {
        return shown.size() == 4 && shown[0] == london + "connection closed" &&
               shown[1] == london + "back" && shown[2] == kWholeHeader &&
               std::regex_match(shown[3], kThreeTimes);
      },
      6s);
  EXPECT_EQ(lines, (std::vector<std::string>{london + "connection closed", london + "back",
                                             kWholeHeader, lines.empty() ? "" : lines.back()}));
  EXPECT_TRUE(!lines.empty() && std::regex_match(lines.back(), kThreeTimes))
      << testing::PrintToString(lines);

  expect_ctrl_c_leaves_a_fresh_line(terminal);
  for (auto& server : servers) expect_clean_stop(server.process);
}

TEST(Clockwall, OnceExitsOneNamingAClockThatDoesNotAnswer) {
  auto tokyo = start_clock("Asia/Tokyo");
  const auto nobody = std::to_string(unused_port());
  auto wall = start_program(
      "clockwall", {"-once", "-timeout", "1s", "Tokyo=127.0.0.1:" + std::to_string(tokyo.port),
                    "Mars=127.0.0.1:" + nobody});
  EXPECT_EQ(wall.wait_exit(4s), 1);
  const std::string out = wall.read_stdout_until_eof(1s);
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(Tokyo +Mars\n\d\d:\d\d:\d\d +down\n)"))) << out;
  // Why, in the words the live wall logs.
  EXPECT_EQ(wall.stderr_text(), "clockwall: Mars (127.0.0.1:" + nobody +
                                    "): connect 127.0.0.1:" + nobody + ": connection refused\n");
  expect_clean_stop(tokyo.process);
}

// A clock whose lines clear the screen, set the window title and ring the bell: none of it may
// reach the terminal, and such a clock has not answered.
TEST(Clockwall, NeverPassesAClocksControlCharactersToTheTerminal) {
  auto tokyo = start_clock("Asia/Tokyo");
  auto hostile = start_clock("UTC", {"-format", "\x1b[2J\x1b]0;pwned\x07%H:%M:%S\x9b"});
  auto wall = start_program(
      "clockwall", {"-once", "-timeout", "2s", "Tokyo=127.0.0.1:" + std::to_string(tokyo.port),
                    "Evil=127.0.0.1:" + std::to_string(hostile.port)});
  EXPECT_EQ(wall.wait_exit(5s), 1) << wall.stderr_text();
  const std::string out = wall.read_stdout_until_eof(1s);
  for (const char c : out) {
    EXPECT_TRUE(c == '\n' || static_cast<unsigned char>(c) >= 0x20) << testing::PrintToString(out);
  }
  EXPECT_TRUE(std::regex_search(out, std::regex(R"(\d\d:\d\d:\d\d +down\n)"))) << out;
  EXPECT_EQ(wall.stderr_text(), "clockwall: Evil (127.0.0.1:" + std::to_string(hostile.port) +
                                    "): no time within 2s\n");

  // Live into a pipe, the row shows what it sent, escaped.
  auto live = start_program("clockwall", {"Evil=127.0.0.1:" + std::to_string(hostile.port)});
  ASSERT_TRUE(live.read_stdout_line(2s));  // header
  const auto row = live.read_stdout_line(2s);
  ASSERT_TRUE(row) << live.stderr_text();
  EXPECT_TRUE(std::regex_search(*row, std::regex(R"(^\\x1B\[2J\\x1B\]0;pwned\\x07)"))) << *row;
  live.signal(SIGTERM);
  live.wait_exit(2s);
  expect_no_sanitizer_report(wall);
  expect_no_sanitizer_report(live);
  expect_clean_stop(tokyo.process);
  expect_clean_stop(hostile.process);
}

// Issue 10: the line names the clock and the reason, a lookup failure too, worded as nc words it;
// once for the outage, not once for each retry (after 1 s and 3 s, within the four rows read).
TEST(Clockwall, SaysOnceWhyAClockIsDownWhenItsNameDoesNotResolve) {
  auto tokyo = start_clock("Asia/Tokyo");
  auto wall = start_program(
      "clockwall", {"Tokyo=127.0.0.1:" + std::to_string(tokyo.port), "Mars=nosuch.invalid:19999"});
  ASSERT_TRUE(wall.read_stdout_line(2s)) << wall.stderr_text();  // header
  for (int i = 0; i < 4; ++i) {
    const auto row = wall.read_stdout_line(2s);
    ASSERT_TRUE(row) << "row " << i << ": " << wall.stderr_text();
    EXPECT_EQ(words(*row).at(1), "down") << *row;
  }
  EXPECT_EQ(wall.stderr_text(),
            "clockwall: Mars (nosuch.invalid:19999): lookup nosuch.invalid: host not found\n");
  wall.signal(SIGTERM);
  EXPECT_EQ(wall.wait_exit(2s), 128 + SIGTERM);
  expect_no_sanitizer_report(wall);
  expect_clean_stop(tokyo.process);
}

// ---- against hostile clocks (issue 22) -----------------------------------------------------

std::string repeated(std::string_view text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

// A clock of the test's own: `line` once a second to each client, for up to `seconds`.
std::unique_ptr<OneClientServer> fake_clock(std::string line, int seconds) {
  return std::make_unique<OneClientServer>(
      [line = std::move(line) + "\n", seconds](int fd) {
        for (int i = 0; i < seconds && send_all(fd, line); ++i) std::this_thread::sleep_for(1s);
      },
      3);
}

// 40 wide characters are 80 columns, not 40; a digit with two combining marks is one column, not
// 3. Counted by characters, the first wrapped every redraw on an 80-column terminal and
// scrolled the header away, and the second pushed the next column left of its name.
TEST(Clockwall, LinesUpWideAndCombiningTextOnAnEightyColumnTerminal) {
  const std::string wide = repeated("時", 40);
  const std::string stacked = "1" + repeated("\u0301", 2);
  auto wide_clock = fake_clock(wide, 14);
  auto stacked_clock = fake_clock(stacked, 14);
  auto tokyo = start_clock("Asia/Tokyo");
  auto london = start_clock("Europe/London");
  testsupport::TerminalSession terminal(
      {testsupport::bin("clockwall"), "Wide=" + wide_clock->address(),
       "Stacked=" + stacked_clock->address(), "Tokyo=127.0.0.1:" + std::to_string(tokyo.port),
       "London=127.0.0.1:" + std::to_string(london.port)},
      {80, 24});
  // The wide cell is cut to 39 columns (19 characters and "…"), so its column starts the next at
  // 41; the stacked one is as wide as its name, 8.
  const std::string header = "Wide" + std::string(37, ' ') + "Stacked   Tokyo     London";
  const std::string wide_cell = repeated("時", 19) + "…";
  const auto in_place = [&](const std::vector<std::string>& lines) {
    if (lines.size() != 2 || lines[0] != header) return false;
    const std::string prefix = wide_cell + "  " + stacked + std::string(7, ' ') + "  ";
    return lines[1].starts_with(prefix) &&
           std::regex_match(lines[1].substr(prefix.size()),
                            std::regex(R"(\d\d:\d\d:\d\d  \d\d:\d\d:\d\d)"));
  };
  auto lines = wait_for_lines(terminal, 80, in_place, 3s);
  ASSERT_TRUE(in_place(lines)) << testing::PrintToString(lines);
  // Where the screen shows them: each column's text under its name.
  EXPECT_EQ(testsupport::columns_of(lines[0].substr(0, lines[0].find("Tokyo"))), 51u);
  EXPECT_EQ(testsupport::columns_of(lines[1].substr(0, lines[1].find(':') - 2)), 51u);
  // Ten seconds of redraws: the header stays where it is, the row under it.
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < 10s) {
    lines = wait_for_lines(terminal, 80, in_place, 2s);
    ASSERT_TRUE(in_place(lines)) << testing::PrintToString(lines);
  }
  expect_ctrl_c_leaves_a_fresh_line(terminal);
  expect_clean_stop(tokyo.process);
  expect_clean_stop(london.process);
}

// Issue 30: the probe's clocks. A digit with 2,000 combining marks drew an 8 KB row; 40 suns with
// VS16 were counted 40 columns and drawn 80; a cut could end inside an escape ("\x0…"). On an
// 80-column terminal every row and header now stays within 79 columns and 4 bytes a column, and
// the table keeps its two lines.
const std::regex kCutEscape(R"(\\(x[0-9A-Fa-f]?)?…)");

TEST(Clockwall, KeepsHostileClocksWithinAnEightyColumnTerminal) {
  auto marks = fake_clock("1" + repeated("\u0301", 2000), 14);
  auto suns = fake_clock(repeated("\u2600\uFE0F", 40), 14);
  auto controls = fake_clock(std::string(30, '\x01'), 14);
  testsupport::TerminalSession terminal(
      {testsupport::bin("clockwall"), "Marks=" + marks->address(), "Suns=" + suns->address(),
       "Controls=" + controls->address()},
      {80, 24});
  const auto drawn = [](const std::vector<std::string>& lines) {
    return lines.size() == 2 && lines[1].find("\\xCC\\x81") != std::string::npos;
  };
  const auto lines = wait_for_lines(terminal, 80, drawn, 5s);
  EXPECT_TRUE(drawn(lines)) << "the table in two lines, the marks past two escaped: "
                            << testing::PrintToString(lines);
  // Each line written, between the cursor's moves: a redraw is "\r", a line, "\x1b[K".
  std::string written = terminal.screen();
  for (const std::string_view move : {"\x1b[K", "\x1b[A", "\x1b[J"}) {
    for (std::size_t at; (at = written.find(move)) != std::string::npos;) {
      written.replace(at, move.size(), "\n");
    }
  }
  std::size_t rows = 0;
  for (std::size_t start = 0, end; start < written.size(); start = end + 1) {
    end = std::min(written.find_first_of("\r\n", start), written.size());
    const std::string_view line = std::string_view(written).substr(start, end - start);
    EXPECT_LE(line.size(), 4u * 80) << testing::PrintToString(std::string(line));
    EXPECT_FALSE(std::regex_search(line.begin(), line.end(), kCutEscape))
        << "a cut inside an escape: " << testing::PrintToString(std::string(line));
    rows += !line.empty();
  }
  EXPECT_GE(rows, 2u);
  expect_ctrl_c_leaves_a_fresh_line(terminal);
}

// A clock that sends valid times as fast as it can cost clockwall a core (7.8 s of CPU in 8 s),
// and on a terminal every line was a redraw. Now such a clock is down, "flooding", retried after
// 1 s, 2 s, 4 s...; the screen is redrawn at most 10 times a second; the honest clock ticks on.
TEST(Clockwall, ShowsAFloodingClockDownAndSpendsLittleOnIt) {
  OneClientServer flood(
      [](int fd) {
        const std::string burst = repeated("12:00:00\n", 1000);
        while (send_all(fd, burst)) {
        }
      },
      10);
  auto tokyo = start_clock("Asia/Tokyo");
  testsupport::TerminalSession terminal(
      {testsupport::bin("clockwall"), "Tokyo=127.0.0.1:" + std::to_string(tokyo.port),
       "Flood=" + flood.address()},
      {80, 24});
  const std::string report = "Flood (" + flood.address() + "): flooding";
  ASSERT_NE(terminal.wait_for_screen(report, 3s).find(report), std::string::npos)
      << terminal.screen();
  const auto cpu_before = cpu_time(terminal.pid());
  const std::size_t shown_before = terminal.screen().size();
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < 5s) {
    terminal.wait_for_screen("(never shown)", 100ms);
  }
  const auto cpu_used = cpu_time(terminal.pid()) - cpu_before;
  const auto now = system_clock::now();
  EXPECT_LE(cpu_used, 500ms) << "over 10 % of a core for 5 s";
  const std::string drawn = terminal.screen().substr(shown_before);
  EXPECT_LE(std::count(drawn.begin(), drawn.end(), '\r'), 5 * 10 + 5) << drawn.size() << " bytes";
  EXPECT_GE(flood.accepted(), 2) << "not retried";
  // Said once for the outage, however often it floods again.
  const std::string& screen = terminal.screen();
  std::size_t reports = 0;
  for (auto at = screen.find(report); at != std::string::npos; at = screen.find(report, at + 1)) {
    ++reports;
  }
  EXPECT_EQ(reports, 1u) << screen;
  // Tokyo's clock kept time beside it.
  testsupport::Screen shown(80);
  shown.feed(screen);
  const auto shown_lines = shown.lines();
  ASSERT_FALSE(shown_lines.empty());
  expect_time_of_zone(words(shown_lines.back()).front(), "Asia/Tokyo", now);
  expect_ctrl_c_leaves_a_fresh_line(terminal);
  expect_clean_stop(tokyo.process);
}

// A clock that flooded once and then keeps time is back, said once, a second into its return.
TEST(Clockwall, TakesBackAClockThatStoppedFlooding) {
  std::atomic<int> turn = 0;
  OneClientServer clock(
      [&](int fd) {
        if (turn++ == 0) {
          send_all(fd, repeated("12:00:00\n", 100));
          return;
        }
        for (int i = 0; i < 6 && send_all(fd, "12:00:00\n"); ++i) std::this_thread::sleep_for(1s);
      },
      3);
  auto wall = start_program("clockwall", {"Clock=" + clock.address()});
  const std::string said = "clockwall: Clock (" + clock.address() + "): ";
  EXPECT_TRUE(wall.wait_for_stderr_line(said + "flooding: more than 20 lines a second", 3s))
      << wall.stderr_text();
  EXPECT_TRUE(wall.wait_for_stderr_line(said + "back", 4s)) << wall.stderr_text();
  wall.signal(SIGTERM);
  EXPECT_EQ(wall.wait_exit(2s), 128 + SIGTERM);
  EXPECT_EQ(wall.stderr_text(), said + "flooding: more than 20 lines a second\n" + said + "back\n");
  expect_no_sanitizer_report(wall);
}

TEST(Clockwall, BadArgumentsExitTwoWithOneLine) {
  for (const std::vector<std::string>& args : {std::vector<std::string>{"London"},
                                               {"X=host"},
                                               {"X=host:99999"},
                                               {"=localhost:8000"},
                                               {},
                                               {"-once", "-timeout", "soon", "A=localhost:1"},
                                               {"-nosuch", "A=localhost:1"}}) {
    auto wall = start_program("clockwall", args);
    EXPECT_EQ(wall.wait_exit(3s), 2) << (args.empty() ? "(none)" : args[0]);
    EXPECT_TRUE(std::regex_match(wall.stderr_text(), std::regex("clockwall: [^\n]+; see --help\n")))
        << wall.stderr_text();
  }
}

}  // namespace
}  // namespace e2e
