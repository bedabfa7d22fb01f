// RedisConnection (servers/chat): hiredis's async API on an Asio event loop, against a fake Redis
// that a thread of the test plays on a Unix socket, so what it reads and answers, and when it
// hangs up, are the test's to choose.
#include "servers/chat/redis_connection.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

namespace gonet {
namespace {

using namespace std::chrono_literals;

// One connection's worth of a Redis server: accepts once, then runs `play` on the connection.
class FakeRedis {
 public:
  explicit FakeRedis(std::function<void(int)> play) {
    char pattern[] = "/tmp/gonet-fake-redis.XXXXXX";
    dir_ = ::mkdtemp(pattern);
    path_ = (dir_ / "redis.sock").string();
    listener_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    path_.copy(address.sun_path, sizeof address.sun_path - 1);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 4);
    thread_ = std::thread([this, play = std::move(play)] {
      const int conn = ::accept(listener_, nullptr, nullptr);
      if (conn >= 0) {
        play(conn);
        ::close(conn);
      }
    });
  }
  ~FakeRedis() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  RedisAddress address() const { return RedisAddress{"", 0, path_}; }

  // Reads until `n` RESP arrays have come (a command each), returns what came.
  static std::string read_commands(int conn, std::size_t n) {
    std::string got;
    char buffer[4096];
    while (count_arrays(got) < n) {
      const ssize_t r = ::read(conn, buffer, sizeof buffer);
      if (r <= 0) break;
      got.append(buffer, static_cast<std::size_t>(r));
    }
    return got;
  }
  static void write(int conn, const std::string& bytes) {
    (void)!::write(conn, bytes.data(), bytes.size());
  }

 private:
  static std::size_t count_arrays(const std::string& text) {
    std::size_t n = 0;
    for (std::size_t at = 0; (at = text.find("\r\n*", at)) != std::string::npos; ++at) ++n;
    return n + (text.starts_with("*") ? 1 : 0);
  }

  std::filesystem::path dir_;
  std::string path_;
  int listener_ = -1;
  std::thread thread_;
};

template <class Done>
void run_until(asio::io_context& io, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!done() && std::chrono::steady_clock::now() < deadline) io.run_for(10ms);
  io.restart();
}

TEST(RedisConnection, SendsCommandsAndHandsBackEachReplyInOrder) {
  std::string commands;
  FakeRedis redis([&](int conn) {
    commands = FakeRedis::read_commands(conn, 2);
    FakeRedis::write(conn, "+PONG\r\n$5\r\nhello\r\n");
    FakeRedis::read_commands(conn, 1);  // until the test hangs up
  });
  asio::io_context io;
  std::string why;
  auto connection = RedisConnection::connect(
      io.get_executor(), redis.address(), [](const std::string&) {}, why);
  ASSERT_TRUE(connection) << why;
  std::vector<std::string> replies;
  const auto keep = [&](redisReply* reply) {
    replies.push_back(reply == nullptr ? "(none)" : std::string(reply->str, reply->len));
  };
  ASSERT_TRUE(connection->command({"PING"}, keep));
  ASSERT_TRUE(connection->command({"ECHO", "hello"}, keep));
  EXPECT_EQ(connection->pending(), 2u);
  run_until(io, [&] { return replies.size() == 2; });
  EXPECT_EQ(replies, (std::vector<std::string>{"PONG", "hello"}));
  EXPECT_EQ(connection->pending(), 0u);
  EXPECT_EQ(connection->pending_bytes(), 0u);
  EXPECT_EQ(commands, "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n");
  connection->close();
}

// A connection to `redis` that counts its ends, with a PING sent whose reply, when it comes as
// none, counts in `nothing`.
struct OnePingOwed {
  explicit OnePingOwed(const RedisAddress& address) {
    std::string why;
    connection = RedisConnection::connect(
        io.get_executor(), address, [this](const std::string&) { ++ends; }, why);
    if (!connection) throw std::runtime_error("connect: " + why);
    if (!connection->command({"PING"}, [this](redisReply* reply) { nothing += !reply; })) {
      throw std::runtime_error("PING not sent");
    }
  }

  asio::io_context io;
  int ends = 0;
  int nothing = 0;
  std::shared_ptr<RedisConnection> connection;
};

TEST(RedisConnection, TellsItsEndOnceAndGivesRepliesStillOwedNothing) {
  FakeRedis redis([](int conn) { FakeRedis::read_commands(conn, 1); });  // then hangs up
  OnePingOwed owed(redis.address());
  run_until(owed.io, [&] { return owed.ends > 0; });
  owed.io.run_for(50ms);
  EXPECT_EQ(owed.ends, 1);
  EXPECT_EQ(owed.nothing, 1);
  EXPECT_FALSE(owed.connection->open());
  EXPECT_FALSE(owed.connection->command({"PING"}, [](redisReply*) {}));
}

TEST(RedisConnection, CloseGivesOwedRepliesNothingAndTellsNoEnd) {
  FakeRedis redis([](int conn) { FakeRedis::read_commands(conn, 2); });  // answers nothing
  OnePingOwed owed(redis.address());
  owed.io.run_for(100ms);
  owed.connection->close();
  owed.io.run_for(50ms);
  EXPECT_EQ(owed.nothing, 1);
  EXPECT_EQ(owed.ends, 0);
  owed.connection.reset();  // the descriptor was hiredis's to close; Asio only let it go
  owed.io.run_for(10ms);
}

TEST(RedisConnection, SaysWhyItCannotConnect) {
  asio::io_context io;
  std::string why;
  std::string ended;
  auto connection = RedisConnection::connect(
      io.get_executor(), RedisAddress{"", 0, "/nonexistent/redis.sock"},
      [&](const std::string& reason) { ended = reason; }, why);
  if (connection) run_until(io, [&] { return !ended.empty(); });
  EXPECT_FALSE(why.empty() && ended.empty()) << "a failed connect was not told";
}

}  // namespace
}  // namespace gonet
