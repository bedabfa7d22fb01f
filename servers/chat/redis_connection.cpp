#include "servers/chat/redis_connection.hpp"

#include <utility>

#include <asio/post.hpp>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

namespace gonet {

std::string to_string(const RedisAddress& address) {
  if (!address.path.empty()) return address.path;
  return address.host + ":" + std::to_string(address.port);
}

RedisConnection::RedisConnection(const asio::any_io_executor& executor, OnEnd on_end)
    : socket_(executor), on_end_(std::move(on_end)) {}

std::shared_ptr<RedisConnection> RedisConnection::connect(const asio::any_io_executor& executor,
                                                          const RedisAddress& address, OnEnd on_end,
                                                          std::string& why) {
  redisAsyncContext* context = address.path.empty()
                                   ? redisAsyncConnect(address.host.c_str(), address.port)
                                   : redisAsyncConnectUnix(address.path.c_str());
  if (context == nullptr) {
    why = "out of memory";
    return nullptr;
  }
  if (context->err != 0) {
    why = context->errstr;
    redisAsyncFree(context);
    return nullptr;
  }
  std::shared_ptr<RedisConnection> connection(new RedisConnection(executor, std::move(on_end)));
  connection->context_ = context;
  context->data = connection.get();
  context->ev.data = connection.get();
  context->ev.addRead = add_read;
  context->ev.delRead = del_read;
  context->ev.addWrite = add_write;
  context->ev.delWrite = del_write;
  context->ev.cleanup = cleanup;
  redisAsyncSetConnectCallback(context, connected);
  redisAsyncSetDisconnectCallback(context, disconnected);
  std::error_code ec;
  connection->socket_.assign(context->c.fd, ec);
  if (ec) {
    why = ec.message();
    connection->close();
    return nullptr;
  }
  // hiredis asked for writability (the connect) before the hooks were set.
  add_write(connection.get());
  return connection;
}

RedisConnection::~RedisConnection() { close(); }

void RedisConnection::close() {
  closing_ = true;
  on_message_ = nullptr;                              // whoever subscribed may be going away
  if (context_ != nullptr) redisAsyncFree(context_);  // replies get nullptr; cleanup() below
  context_ = nullptr;
}

bool RedisConnection::command(const std::vector<std::string>& argv, OnReply on_reply) {
  if (context_ == nullptr) return false;
  std::vector<const char*> args;
  std::vector<std::size_t> lengths;
  std::size_t bytes = 0;
  for (const auto& arg : argv) {
    args.push_back(arg.data());
    lengths.push_back(arg.size());
    bytes += arg.size();
  }
  auto* callback = new Pending{std::move(on_reply), bytes};
  if (redisAsyncCommandArgv(context_, replied, callback, static_cast<int>(args.size()), args.data(),
                            lengths.data()) != REDIS_OK) {
    delete callback;
    return false;
  }
  ++pending_;
  pending_bytes_ += bytes;
  return true;
}

bool RedisConnection::subscribe(const std::string& channel, OnReply on_message) {
  if (context_ == nullptr) return false;
  on_message_ = std::move(on_message);
  const char* args[] = {"SUBSCRIBE", channel.c_str()};
  const std::size_t lengths[] = {9, channel.size()};
  return redisAsyncCommandArgv(context_, message, this, 2, args, lengths) == REDIS_OK;
}

void RedisConnection::replied(redisAsyncContext* context, void* reply, void* pending) {
  auto* command = static_cast<Pending*>(pending);
  if (auto* self = static_cast<RedisConnection*>(context->data); self != nullptr) {
    --self->pending_;
    self->pending_bytes_ -= command->bytes;
  }
  command->on_reply(static_cast<redisReply*>(reply));
  delete command;
}

void RedisConnection::message(redisAsyncContext* /*context*/, void* reply, void* self) {
  auto* connection = static_cast<RedisConnection*>(self);
  if (connection->on_message_) connection->on_message_(static_cast<redisReply*>(reply));
}

void RedisConnection::connected(const redisAsyncContext* context, int status) {
  if (status == REDIS_OK) return;
  // hiredis frees the context after this; cleanup() forgets it.
  static_cast<RedisConnection*>(context->data)->ended(context->errstr);
}

void RedisConnection::disconnected(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisConnection*>(context->data);
  self->ended(status == REDIS_OK ? "closed" : context->errstr);
}

void RedisConnection::ended(const std::string& why) {
  if (closing_) return;
  closing_ = true;
  // Told after hiredis is done with the context, not from inside it.
  asio::post(socket_.get_executor(), [self = weak_from_this(), why] {
    if (auto connection = self.lock(); connection && connection->on_end_) connection->on_end_(why);
  });
}

void RedisConnection::add_read(void* self) {
  auto* connection = static_cast<RedisConnection*>(self);
  connection->reading_ = true;
  connection->wait_readable();
}

void RedisConnection::del_read(void* self) {
  static_cast<RedisConnection*>(self)->reading_ = false;
}

void RedisConnection::add_write(void* self) {
  auto* connection = static_cast<RedisConnection*>(self);
  connection->writing_ = true;
  connection->wait_writable();
}

void RedisConnection::del_write(void* self) {
  static_cast<RedisConnection*>(self)->writing_ = false;
}

void RedisConnection::cleanup(void* self) {
  auto* connection = static_cast<RedisConnection*>(self);
  connection->context_ = nullptr;
  connection->reading_ = connection->writing_ = false;
  // hiredis closes the descriptor; Asio must only let go of it.
  if (connection->socket_.is_open()) {
    std::error_code ignored;
    connection->socket_.cancel(ignored);
    connection->socket_.release();
  }
}

void RedisConnection::wait_readable() {
  if (read_waiting_ || !socket_.is_open()) return;
  read_waiting_ = true;
  socket_.async_wait(asio::posix::stream_descriptor::wait_read,
                     [self = weak_from_this()](std::error_code ec) {
                       auto connection = self.lock();
                       if (!connection) return;
                       connection->read_waiting_ = false;
                       if (ec || connection->context_ == nullptr || !connection->reading_) return;
                       redisAsyncHandleRead(connection->context_);
                       if (connection->context_ != nullptr && connection->reading_) {
                         connection->wait_readable();
                       }
                     });
}

void RedisConnection::wait_writable() {
  if (write_waiting_ || !socket_.is_open()) return;
  write_waiting_ = true;
  socket_.async_wait(asio::posix::stream_descriptor::wait_write,
                     [self = weak_from_this()](std::error_code ec) {
                       auto connection = self.lock();
                       if (!connection) return;
                       connection->write_waiting_ = false;
                       if (ec || connection->context_ == nullptr || !connection->writing_) return;
                       redisAsyncHandleWrite(connection->context_);
                       if (connection->context_ != nullptr && connection->writing_) {
                         connection->wait_writable();
                       }
                     });
}

}  // namespace gonet
