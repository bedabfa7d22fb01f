#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gonet {

// One reply of Redis's protocol (RESP2), as a value: what hiredis's reader parsed, copied out of
// its objects so that nothing of hiredis reaches the code that reads it.
struct RedisReply {
  enum class Type { string, array, integer, nil, status, error };
  Type type = Type::nil;
  std::string text;  // string, status, error
  long long integer = 0;
  std::vector<RedisReply> elements;

  bool is_error() const { return type == Type::error; }
  // A bulk or status string equal to `s`.
  bool is(std::string_view s) const {
    return (type == Type::string || type == Type::status) && text == s;
  }
  bool operator==(const RedisReply&) const = default;
};

// A reply as a log line shows it: "-NOPERM ...", ":1", "+OK", "(nil)", "[3 elements]".
std::string describe(const RedisReply& reply);

// A command in Redis's protocol, its arguments as binary-safe bulk strings (hiredis's
// redisFormatCommandArgv).
std::string format_command(std::span<const std::string> argv);

// Hiredis's reply parser fed the bytes of a stream as they come, split anywhere. hiredis holds a
// reply whole before handing it over, so a guard ahead of it streams past any bulk string longer
// than `max_bulk` (a 512 MB PUBLISH, say) and hands hiredis a nil in its place: whatever Redis
// sends, the reader holds at most about `max_bulk` bytes. It takes no array of more than
// `max_elements`, and no reply longer than about `max_bulk` in all (the replies this suite asks
// for are small, and a subscription's message is one bulk string and two short ones).
class RedisReader {
 public:
  explicit RedisReader(std::size_t max_bulk, std::size_t max_elements = 1024);
  ~RedisReader();
  RedisReader(const RedisReader&) = delete;
  RedisReader& operator=(const RedisReader&) = delete;

  // False once the stream is not Redis's protocol (error() says how); nothing more is read then.
  bool feed(std::string_view bytes);
  // The next complete reply, if one has come whole.
  std::optional<RedisReply> next();
  // Why the stream is not Redis's protocol; empty while it is.
  const std::string& error() const { return error_; }
  // Bulk strings longer than max_bulk that came as nils.
  std::size_t oversized() const { return oversized_; }

 private:
  bool pass(std::string_view bytes);
  bool header(std::string_view line);

  std::size_t max_bulk_;
  std::size_t max_elements_;
  struct Parser;
  std::unique_ptr<Parser> parser_;
  std::string line_;             // a type line so far, up to its CRLF
  std::size_t to_pass_ = 0;      // bytes of a bulk string (and its CRLF) to hand on
  std::size_t to_skip_ = 0;      // bytes of an oversized one to drop
  std::size_t since_reply_ = 0;  // bytes handed to hiredis since the last whole reply
  std::size_t oversized_ = 0;
  std::string error_;
};

}  // namespace gonet
