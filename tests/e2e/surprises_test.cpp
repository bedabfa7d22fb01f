// A word for every surprise (issue 31): flags given where they do nothing are warned of, values
// that cannot work are usage errors, and each says so in one line, in lower case.
#include <gtest/gtest.h>

#include "tests/e2e/programs.hpp"
#include "tests/e2e/test_servers.hpp"

namespace e2e {
namespace {

// What a server said on stderr up to and including "listening on".
std::string said_before_listening(Server& server) {
  const std::string text = server.process.stderr_text();
  return text.substr(0, text.find("listening on"));
}

TEST(Surprises, ChatWarnsOfEachRoomFlagGivenWithoutRedis) {
  const TempFile key("0123456789abcdef0123456789abcdef\n");
  auto server = start_server(
      "chat", {"-room", "lobby", "-room-key-file", key.path(), "-redis-tls-ca", key.path()});
  EXPECT_EQ(said_before_listening(server),
            "chat: warning: -room does nothing without -redis\n"
            "chat: warning: -room-key-file does nothing without -redis\n"
            "chat: warning: -redis-tls-ca does nothing without -redis\n"
            "chat: ");
  expect_clean_stop(server.process);

  auto plain = start_server("chat");
  EXPECT_EQ(said_before_listening(plain), "chat: ");
  expect_clean_stop(plain.process);
}

// The open-file limit as `ulimit -n 1024` sets it, through util-linux's prlimit.
TEST(Surprises, MaxConnsAboveTheOpenFileLimitIsWarnedOf) {
  for (const std::string program : {"chat", "clock2", "reverb2"}) {
    auto over =
        ChildProcess::start({"prlimit", "--nofile=1024:1024", "--", testsupport::bin(program),
                             "-port", "0", "-max-conns", "5000"});
    over.wait_for_listening();
    EXPECT_EQ(over.stderr_text().substr(0, over.stderr_text().find("listening on")),
              program +
                  ": warning: -max-conns 5000 is above the open-file limit (1024, ulimit -n): "
                  "accepting pauses when descriptors run out, before the cap\n" +
                  program + ": ")
        << program;
    expect_clean_stop(over);

    auto under =
        ChildProcess::start({"prlimit", "--nofile=1024:1024", "--", testsupport::bin(program),
                             "-port", "0", "-max-conns", "500"});
    under.wait_for_listening();
    EXPECT_EQ(under.stderr_text().find("warning"), std::string::npos) << under.stderr_text();
    expect_clean_stop(under);
  }
}

TEST(Surprises, ClockwallWarnsOfTimeoutWithoutOnceAndRefusesNoTimeAtAll) {
  auto clock = start_server("clock2");
  auto wall =
      start_client("clockwall", {"-timeout", "2s", "Here=127.0.0.1:" + std::to_string(clock.port)});
  ASSERT_TRUE(wall.read_stdout_line(3s)) << wall.stderr_text();
  EXPECT_EQ(wall.stderr_text(), "clockwall: warning: -timeout does nothing without -once\n");
  wall.signal(SIGTERM);
  wall.wait_exit(3s);

  auto never = start_client("clockwall", {"-once", "-timeout", "0", "Here=127.0.0.1:1"});
  EXPECT_EQ(never.wait_exit(3s), 2);
  EXPECT_EQ(never.stderr_text(),
            "clockwall: invalid value \"0\" for flag -timeout: want more than 0 with -once; see "
            "--help\n");
  expect_clean_stop(clock.process);
}

TEST(Surprises, ARelativeRedisSocketPathIsSaidToNeedToBeAbsolute) {
  for (const std::string address : {"relative/path.sock", "redis.sock"}) {
    auto chat = start_program("chat", {"-redis", address, "-room-key-file", "/dev/null"});
    EXPECT_EQ(chat.wait_exit(3s), 2) << address;
    EXPECT_EQ(chat.stderr_text(), "chat: invalid value \"" + address +
                                      "\" for flag -redis: a Unix socket's path must be absolute "
                                      "(/PATH or unix:///PATH); see --help\n");
  }
}

}  // namespace
}  // namespace e2e
