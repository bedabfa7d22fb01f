// common/redis: addresses as -redis takes them, the reply reader over a stream split anywhere
// (and past replies too long to hold), and the connection on an Asio event loop against a fake
// Redis that a thread of the test plays on a Unix socket, so what it reads and answers, and when
// it hangs up, are the test's to choose.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <gtest/gtest.h>

#include "common/net/failure.hpp"
#include "common/redis/redis_connection.hpp"

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
  RedisLink link(std::string password = {}, std::string user = {}) const {
    RedisAddress address;
    address.transport = RedisAddress::Transport::unix_socket;
    address.path = path_;
    address.user = std::move(user);
    return RedisLink{address, std::move(password), nullptr};
  }

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

RedisReply status(std::string text) { return RedisReply{RedisReply::Type::status, text, 0, {}}; }
RedisReply bulk(std::string text) { return RedisReply{RedisReply::Type::string, text, 0, {}}; }
RedisReply nil() { return RedisReply{}; }
RedisReply integer(long long n) { return RedisReply{RedisReply::Type::integer, {}, n, {}}; }
RedisReply array(std::vector<RedisReply> elements) {
  return RedisReply{RedisReply::Type::array, {}, 0, std::move(elements)};
}

std::vector<RedisReply> read_all(RedisReader& reader) {
  std::vector<RedisReply> replies;
  while (auto reply = reader.next()) replies.push_back(std::move(*reply));
  return replies;
}

// Every kind of reply, nested and binary, as Redis writes them.
constexpr char kStreamBytes[] =
    "+OK\r\n-ERR wrong\r\n:-42\r\n$5\r\nhe\r\nl\r\n$0\r\n\r\n$-1\r\n*-1\r\n"
    "*3\r\n$7\r\nmessage\r\n$4\r\nroom\r\n*2\r\n:1\r\n$1\r\n\0\r\n";
const std::string kStream(kStreamBytes, sizeof kStreamBytes - 1);
const std::vector<RedisReply> kReplies = {
    status("OK"),
    RedisReply{RedisReply::Type::error, "ERR wrong", 0, {}},
    integer(-42),
    bulk("he\r\nl"),
    bulk(""),
    nil(),
    nil(),
    array({bulk("message"), bulk("room"), array({integer(1), bulk(std::string(1, '\0'))})}),
};

TEST(RedisReader, ReadsEveryReplyWhereverTheStreamIsSplit) {
  const std::string& stream = kStream;
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    RedisReader reader(1024);
    ASSERT_TRUE(reader.feed(std::string_view(stream).substr(0, split)));
    auto replies = read_all(reader);
    ASSERT_TRUE(reader.feed(std::string_view(stream).substr(split)));
    for (auto& reply : read_all(reader)) replies.push_back(std::move(reply));
    EXPECT_EQ(replies, kReplies) << "split at " << split;
  }
  RedisReader byte_by_byte(1024);
  std::vector<RedisReply> replies;
  for (const char c : stream) {
    ASSERT_TRUE(byte_by_byte.feed(std::string_view(&c, 1)));
    for (auto& reply : read_all(byte_by_byte)) replies.push_back(std::move(reply));
  }
  EXPECT_EQ(replies, kReplies);
}

// A PUBLISH of any size reaches every subscriber: the reader streams past one too long for it and
// hands a nil in its place, holding none of it, and goes on with the next.
TEST(RedisReader, StreamsPastABulkStringOverItsLimitAndHandsANil) {
  const std::string big(100 * 1024 * 1024, 'x');
  const std::string stream = "*3\r\n$7\r\nmessage\r\n$4\r\nroom\r\n$" + std::to_string(big.size()) +
                             "\r\n" + big + "\r\n*3\r\n$7\r\nmessage\r\n$4\r\nroom\r\n$2\r\nok\r\n";
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{65536}}) {
    RedisReader reader(16);
    std::vector<RedisReply> replies;
    // Byte by byte through the first and last kilobyte; the middle in big chunks, to be quick.
    for (std::size_t at = 0; at < stream.size();) {
      const bool edge = at < 1024 || at + 1024 > stream.size();
      const std::size_t n = std::min(edge ? chunk : std::size_t{1} << 20, stream.size() - at);
      ASSERT_TRUE(reader.feed(std::string_view(stream).substr(at, n))) << reader.error();
      at += n;
      for (auto& reply : read_all(reader)) replies.push_back(std::move(reply));
    }
    EXPECT_EQ(replies,
              (std::vector<RedisReply>{array({bulk("message"), bulk("room"), nil()}),
                                       array({bulk("message"), bulk("room"), bulk("ok")})}))
        << "chunks of " << chunk;
    EXPECT_EQ(reader.oversized(), 1u);
  }
}

std::string repeated(const std::string& text, int times) {
  std::string all;
  for (int i = 0; i < times; ++i) all += text;
  return all;
}

TEST(RedisReader, RefusesWhatIsNotRedisProtocol) {
  for (const std::string& bad : {
           std::string("hello\r\n"),
           std::string("+OK\n"),
           std::string("$x\r\n"),
           std::string("*2000\r\n"),           // more elements than it takes
           "+" + std::string(70 * 1024, 'a'),  // a line that never ends
           std::string("*-2\r\n"),
           std::string("$-5\r\n"),
           // Many bulk strings in one reply, each within the limit, longer than one in all.
           "*1000\r\n" + repeated("$1000\r\n" + std::string(1000, 'x') + "\r\n", 1000),
       }) {
    RedisReader reader(1024);
    reader.feed(bad);
    reader.next();
    ASSERT_FALSE(reader.error().empty()) << bad.substr(0, 20);
    // In lower case, as every message of ours (hiredis says "Protocol error, got ...").
    EXPECT_FALSE(std::isupper(static_cast<unsigned char>(reader.error()[0]))) << reader.error();
    EXPECT_FALSE(reader.feed("+OK\r\n")) << "nothing more is read";
  }
}

TEST(RedisReader, WritesCommandsBinarySafe) {
  const std::vector<std::string> argv = {"PUBLISH", "room", std::string("a\r\n\0b", 5)};
  constexpr char kExpected[] = "*3\r\n$7\r\nPUBLISH\r\n$4\r\nroom\r\n$5\r\na\r\n\0b\r\n";
  EXPECT_EQ(format_command(argv), std::string(kExpected, sizeof kExpected - 1));
}

TEST(RedisAddress, TakesHostPortAPathAndRedisUrls) {
  const auto parse = [](const std::string& text) {
    std::string why;
    auto address = parse_redis_address(text, why);
    EXPECT_TRUE(address) << text << ": " << why;
    return address.value_or(RedisAddress{});
  };
  using T = RedisAddress::Transport;
  EXPECT_EQ(parse("localhost:6380"), (RedisAddress{T::tcp, "localhost", 6380, "", "", ""}));
  EXPECT_EQ(parse("/run/redis.sock"), (RedisAddress{T::unix_socket, "", 6379, "/run/redis.sock"}));
  EXPECT_EQ(parse("unix:///run/redis.sock"),
            (RedisAddress{T::unix_socket, "", 6379, "/run/redis.sock"}));
  EXPECT_EQ(parse("unix://node@/run/redis.sock"),
            (RedisAddress{T::unix_socket, "", 6379, "/run/redis.sock", "node"}));
  EXPECT_EQ(to_string(parse("unix://node@/r.sock")), "unix://node@/r.sock");
  EXPECT_EQ(parse("redis://redis.example"), (RedisAddress{T::tcp, "redis.example", 6379}));
  EXPECT_EQ(parse("redis://node@10.0.0.5:7000/"),
            (RedisAddress{T::tcp, "10.0.0.5", 7000, "", "node"}));
  EXPECT_EQ(parse("rediss://node:p%40ss@[::1]:6380"),
            (RedisAddress{T::tls, "::1", 6380, "", "node", "p@ss"}));
  EXPECT_EQ(parse("rediss://::1"), (RedisAddress{T::tls, "::1", 6379}));
  EXPECT_EQ(to_string(parse("rediss://node:secret@localhost:6380")), "rediss://node@localhost:6380")
      << "never the password";
  EXPECT_EQ(to_string(parse("localhost:6380")), "localhost:6380");
  EXPECT_EQ(to_string(parse("unix:///r.sock")), "/r.sock");
  for (const char* bad : {"", "localhost", "localhost:0", "localhost:x", "relative/r.sock",
                          "unix://relative.sock", "http://localhost", "redis://", "redis://:6379",
                          "redis://localhost:70000", "redis://localhost/0", "redis://a%zz@h",
                          "redis://[::1", "unix://node:pw@/r.sock", "unix://@/r.sock"}) {
    std::string why;
    EXPECT_FALSE(parse_redis_address(bad, why)) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
  std::string why;
  parse_redis_address("localhost", why);
  EXPECT_EQ(why, "want HOST:PORT, /PATH, or a redis://, rediss:// or unix:// URL");
  for (const char* relative : {"relative/r.sock", "r.sock", "unix://r.sock"}) {
    parse_redis_address(relative, why);
    EXPECT_EQ(why, "a Unix socket's path must be absolute (/PATH or unix:///PATH)") << relative;
  }
}

// A connection opened and run on `io`, for the tests below.
struct Opened {
  Opened(asio::io_context& io, const RedisLink& link) {
    asio::co_spawn(io, RedisConnection::open(link, 1024),
                   [this](std::exception_ptr failure, std::unique_ptr<RedisConnection> c) {
                     if (failure) why = describe(failure);
                     connection = std::move(c);
                     done = true;
                   });
    run_until(io, [&] { return done; });
  }
  // Runs the connection until it ends; `ended` says why ("" when close() ended it).
  void run(asio::io_context& io) {
    asio::co_spawn(io, connection->run(), [this](std::exception_ptr failure) {
      ended = failure ? describe(failure) : "";
      running = false;
    });
    running = true;
  }
  bool done = false;
  bool running = false;
  std::string why;
  std::optional<std::string> ended;
  std::unique_ptr<RedisConnection> connection;
};

TEST(RedisConnection, SendsCommandsAndHandsBackEachReplyInOrder) {
  std::string commands;
  FakeRedis redis([&](int conn) {
    commands = FakeRedis::read_commands(conn, 2);
    FakeRedis::write(conn, "+PONG\r\n$5\r\nhello\r\n");
    FakeRedis::read_commands(conn, 1);  // until the test hangs up
  });
  asio::io_context io;
  Opened opened(io, redis.link());
  ASSERT_TRUE(opened.connection) << opened.why;
  std::vector<std::optional<RedisReply>> replies;
  const auto keep = [&](std::optional<RedisReply> reply) { replies.push_back(std::move(reply)); };
  const std::vector<std::string> ping = {"PING"}, echo = {"ECHO", "hello"};
  ASSERT_TRUE(opened.connection->send(ping, keep));
  ASSERT_TRUE(opened.connection->send(echo, keep));
  EXPECT_EQ(opened.connection->pending(), 2u);
  opened.run(io);
  run_until(io, [&] { return replies.size() == 2; });
  EXPECT_EQ(replies, (std::vector<std::optional<RedisReply>>{status("PONG"), bulk("hello")}));
  EXPECT_EQ(opened.connection->pending(), 0u);
  EXPECT_EQ(opened.connection->pending_bytes(), 0u);
  EXPECT_EQ(commands, "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n");
  opened.connection->close();
  run_until(io, [&] { return !opened.running; });
  EXPECT_EQ(opened.ended, "");
}

TEST(RedisConnection, HandsASubscriptionsMessagesToItsPushHandler) {
  FakeRedis redis([&](int conn) {
    FakeRedis::read_commands(conn, 1);
    FakeRedis::write(conn,
                     "*3\r\n$9\r\nsubscribe\r\n$4\r\nroom\r\n:1\r\n"
                     "*3\r\n$7\r\nmessage\r\n$4\r\nroom\r\n$2\r\nhi\r\n");
    FakeRedis::read_commands(conn, 1);
  });
  asio::io_context io;
  Opened opened(io, redis.link());
  ASSERT_TRUE(opened.connection) << opened.why;
  std::vector<RedisReply> pushed;
  std::optional<RedisReply> confirmed;
  opened.connection->on_push([&](RedisReply message) { pushed.push_back(std::move(message)); });
  const std::vector<std::string> subscribe = {"SUBSCRIBE", "room"};
  opened.connection->send(subscribe, [&](std::optional<RedisReply> reply) { confirmed = reply; });
  opened.run(io);
  run_until(io, [&] { return !pushed.empty(); });
  EXPECT_EQ(confirmed, array({bulk("subscribe"), bulk("room"), integer(1)}));
  EXPECT_EQ(pushed, (std::vector<RedisReply>{array({bulk("message"), bulk("room"), bulk("hi")})}));
  opened.connection->close();
  run_until(io, [&] { return !opened.running; });
}

TEST(RedisConnection, EndsWhenRedisHangsUpAndGivesRepliesStillOwedNothing) {
  FakeRedis redis([](int conn) { FakeRedis::read_commands(conn, 1); });  // then hangs up
  asio::io_context io;
  Opened opened(io, redis.link());
  ASSERT_TRUE(opened.connection) << opened.why;
  int nothing = 0;
  const std::vector<std::string> ping = {"PING"};
  opened.connection->send(ping, [&](std::optional<RedisReply> reply) { nothing += !reply; });
  opened.run(io);
  run_until(io, [&] { return !opened.running; });
  EXPECT_EQ(opened.ended, "connection closed by redis");
  EXPECT_EQ(nothing, 1);
  EXPECT_FALSE(opened.connection->send(ping, [](std::optional<RedisReply>) {}));
}

TEST(RedisConnection, CloseEndsItAndGivesOwedRepliesNothing) {
  FakeRedis redis([](int conn) { FakeRedis::read_commands(conn, 2); });  // answers nothing
  asio::io_context io;
  Opened opened(io, redis.link());
  ASSERT_TRUE(opened.connection) << opened.why;
  int nothing = 0;
  const std::vector<std::string> ping = {"PING"};
  opened.connection->send(ping, [&](std::optional<RedisReply> reply) { nothing += !reply; });
  opened.run(io);
  io.run_for(100ms);
  opened.connection->close();
  run_until(io, [&] { return !opened.running; });
  EXPECT_EQ(opened.ended, "");
  EXPECT_EQ(nothing, 1);
}

TEST(RedisConnection, AReplyToNoCommandEndsIt) {
  FakeRedis redis([](int conn) {
    FakeRedis::write(conn, "+SURPRISE\r\n");
    FakeRedis::read_commands(conn, 1);
  });
  asio::io_context io;
  Opened opened(io, redis.link());
  ASSERT_TRUE(opened.connection) << opened.why;
  opened.run(io);
  run_until(io, [&] { return !opened.running; });
  EXPECT_EQ(opened.ended, "redis sent a reply to no command: +SURPRISE");
}

TEST(RedisConnection, LogsInAndSaysInOneLineWhyALoginWasRefused) {
  std::string login;
  FakeRedis redis([&](int conn) {
    login = FakeRedis::read_commands(conn, 1);
    FakeRedis::write(conn, "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  });
  asio::io_context io;
  Opened opened(io, redis.link("s3cret", "node"));
  EXPECT_FALSE(opened.connection);
  EXPECT_EQ(login, "*3\r\n$4\r\nAUTH\r\n$4\r\nnode\r\n$6\r\ns3cret\r\n");
  EXPECT_EQ(opened.why,
            "login as node refused: WRONGPASS invalid username-password pair or user is disabled.");
}

TEST(RedisConnection, SaysWhyItCannotConnect) {
  asio::io_context io;
  RedisAddress nowhere;
  nowhere.transport = RedisAddress::Transport::unix_socket;
  nowhere.path = "/nonexistent/redis.sock";
  Opened opened(io, RedisLink{nowhere, "", nullptr});
  EXPECT_FALSE(opened.connection);
  EXPECT_EQ(opened.why, "connect /nonexistent/redis.sock: no such file or directory");
}

}  // namespace
}  // namespace gonet
