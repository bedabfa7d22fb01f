#include "common/redis/redis_connection.hpp"

#include <utility>

#include <asio/experimental/channel.hpp>
#include <asio/this_coro.hpp>
#include <asio/write.hpp>

#include "common/net/awaitable.hpp"
#include "common/net/dial.hpp"
#include "common/net/either.hpp"
#include "common/net/failure.hpp"

namespace gonet {
namespace {

// What one read takes at most.
constexpr std::size_t kReadSize = 64 * 1024;

bool is_push(const RedisReply& reply) {
  return reply.type == RedisReply::Type::array && !reply.elements.empty() &&
         (reply.elements[0].is("message") || reply.elements[0].is("pmessage"));
}

}  // namespace

RedisConnection::RedisConnection(Stream stream, std::size_t max_bulk)
    : stream_(std::move(stream)),
      reader_(max_bulk),
      buffer_(kReadSize),
      news_(std::visit([](auto& s) { return asio::any_io_executor(s.get_executor()); }, stream_)) {}

RedisConnection::~RedisConnection() { close(); }

asio::awaitable<std::unique_ptr<RedisConnection>> RedisConnection::open(const RedisLink& link,
                                                                        std::size_t max_bulk) {
  const auto executor = co_await asio::this_coro::executor;
  const RedisAddress& address = link.address;
  std::unique_ptr<RedisConnection> connection;
  if (address.transport == RedisAddress::Transport::unix_socket) {
    asio::local::stream_protocol::socket socket(executor);
    auto [ec] = co_await socket.async_connect(asio::local::stream_protocol::endpoint(address.path),
                                              use_nothrow);
    if (ec) throw Failure("connect " + address.path, ec);
    connection.reset(new RedisConnection(Stream(std::move(socket)), max_bulk));
  } else {
    const Endpoint server{address.host, address.port};
    asio::ip::tcp::socket socket = co_await dial(server);
    if (address.transport == RedisAddress::Transport::tls) {
      TlsStream tls = co_await link.tls->handshake(std::move(socket), server);
      connection.reset(new RedisConnection(Stream(std::move(tls)), max_bulk));
    } else {
      connection.reset(new RedisConnection(Stream(std::move(socket)), max_bulk));
    }
  }
  if (!link.password.empty()) {
    std::vector<std::string> auth = {"AUTH"};
    if (!address.user.empty()) auth.push_back(address.user);
    auth.push_back(link.password);
    const std::string command = format_command(auth);
    const auto write = [&](auto& stream) {
      return asio::async_write(stream, asio::buffer(command), use_nothrow);
    };
    auto [ec, written] = co_await std::visit(write, connection->stream_);
    if (ec) throw Failure("log in to redis", ec);
    const RedisReply reply = co_await connection->read_reply();
    if (reply.is_error()) {
      std::string as;
      if (!address.user.empty()) as = " as " + address.user;
      throw Failure("login" + as + " refused: " + reply.text);
    }
  }
  co_return connection;
}

bool RedisConnection::send(std::span<const std::string> argv, OnReply on_reply) {
  if (closed_) return false;
  const std::size_t before = unsent_.size();
  unsent_ += format_command(argv);
  const std::size_t bytes = unsent_.size() - before;
  owed_.push_back(Owed{std::move(on_reply), bytes});
  pending_bytes_ += bytes;
  news_.notify_all();
  return true;
}

asio::awaitable<std::optional<RedisReply>> RedisConnection::call(std::vector<std::string> argv) {
  using Answer = asio::experimental::channel<void(std::error_code, std::optional<RedisReply>)>;
  auto answer = std::make_shared<Answer>(news_.get_executor(), 1);
  const auto deliver = [answer](std::optional<RedisReply> reply) {
    answer->try_send(std::error_code{}, std::move(reply));
  };
  if (!send(argv, deliver)) co_return std::nullopt;
  auto [ec, reply] = co_await answer->async_receive(use_nothrow);
  if (ec) co_return std::nullopt;
  co_return std::move(reply);
}

asio::awaitable<void> RedisConnection::run() {
  std::exception_ptr failure;
  try {
    co_await either(read_loop(), write_loop());
  } catch (...) {
    failure = std::current_exception();
  }
  // Ended by close(): whatever the reads and writes it cut short threw is no failure.
  const bool asked = closed_;
  closed_ = true;
  fail_owed();
  if (failure && !asked) std::rethrow_exception(failure);
}

void RedisConnection::close() {
  if (std::exchange(closed_, true)) return;
  news_.notify_all();
  std::error_code ignored;
  const auto shut = [&ignored](auto& stream) {
    if constexpr (std::is_same_v<std::decay_t<decltype(stream)>, TlsStream>) {
      stream.lowest_layer().close(ignored);
    } else {
      stream.close(ignored);
    }
  };
  std::visit(shut, stream_);
}

void RedisConnection::fail_owed() {
  // Taken out first: a callback may send (and be refused) or close.
  std::deque<Owed> owed = std::move(owed_);
  owed_.clear();
  pending_bytes_ = 0;
  for (Owed& each : owed) each.on_reply(std::nullopt);
}

asio::awaitable<RedisReply> RedisConnection::read_reply() {
  for (;;) {
    if (auto reply = reader_.next()) co_return std::move(*reply);
    if (!reader_.error().empty())
      throw Failure("redis sent what is not its protocol: " + reader_.error());
    const auto read = [this](auto& stream) {
      return stream.async_read_some(asio::buffer(buffer_), use_nothrow);
    };
    auto [ec, n] = co_await std::visit(read, stream_);
    if (closed_) throw Failure("connection closed");
    if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
      throw Failure("connection closed by redis");
    }
    if (ec) throw Failure("read from redis", ec);
    reader_.feed(std::string_view(buffer_.data(), n));
  }
}

asio::awaitable<void> RedisConnection::read_loop() {
  for (;;) {
    RedisReply reply = co_await read_reply();
    dispatch(std::move(reply));
    if (closed_) co_return;
  }
}

void RedisConnection::dispatch(RedisReply reply) {
  if (is_push(reply)) {
    if (on_push_) on_push_(std::move(reply));
    return;
  }
  if (owed_.empty()) {
    throw Failure("redis sent a reply to no command: " + describe(reply));
  }
  Owed owed = std::move(owed_.front());
  owed_.pop_front();
  pending_bytes_ -= owed.bytes;
  owed.on_reply(std::move(reply));
}

asio::awaitable<void> RedisConnection::write_loop() {
  std::string sending;
  for (;;) {
    while (unsent_.empty() && !closed_) co_await news_.wait();
    if (closed_) co_return;
    sending.clear();
    sending.swap(unsent_);  // the next commands gather in the buffer the last write emptied
    const auto write = [&](auto& stream) {
      return asio::async_write(stream, asio::buffer(sending), use_nothrow);
    };
    auto [ec, written] = co_await std::visit(write, stream_);
    if (closed_) co_return;
    if (ec) throw Failure("write to redis", ec);
  }
}

}  // namespace gonet
