#include "common/redis/redis_reply.hpp"

#include <cctype>
#include <charconv>

#include <hiredis/hiredis.h>

namespace gonet {
namespace {

// hiredis's parser says "Protocol error, got ..."; every message of ours begins in lower case.
std::string reader_error(const char* errstr) {
  std::string why = errstr;
  if (!why.empty()) why[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(why[0])));
  return why;
}

// A type line ("+OK", "$5", "*3") longer than this is not Redis's: nothing this suite asks for
// answers with a longer status or error.
constexpr std::size_t kMaxLine = 64 * 1024;
// A reply is at most a bulk string and this much more: its other elements, and what a read
// handed over of the replies after it before they were taken.
constexpr std::size_t kReplySlack = 256 * 1024;

RedisReply value_of(const redisReply& reply) {
  RedisReply value;
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      value.type = RedisReply::Type::string;
      break;
    case REDIS_REPLY_STATUS:
      value.type = RedisReply::Type::status;
      break;
    case REDIS_REPLY_ERROR:
      value.type = RedisReply::Type::error;
      break;
    case REDIS_REPLY_INTEGER:
      value.type = RedisReply::Type::integer;
      value.integer = reply.integer;
      return value;
    case REDIS_REPLY_ARRAY:
      value.type = RedisReply::Type::array;
      value.elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i) {
        value.elements.push_back(value_of(*reply.element[i]));
      }
      return value;
    default:
      return value;
  }
  value.text.assign(reply.str, reply.len);
  return value;
}

}  // namespace

struct RedisReader::Parser {
  redisReader* reader = redisReaderCreate();
  ~Parser() { redisReaderFree(reader); }
};

std::string describe(const RedisReply& reply) {
  switch (reply.type) {
    case RedisReply::Type::string:
      return "\"" + reply.text + "\"";
    case RedisReply::Type::status:
      return "+" + reply.text;
    case RedisReply::Type::error:
      return "-" + reply.text;
    case RedisReply::Type::integer:
      return ":" + std::to_string(reply.integer);
    case RedisReply::Type::nil:
      return "(nil)";
    case RedisReply::Type::array:
      return "[" + std::to_string(reply.elements.size()) + " elements]";
  }
  return {};
}

std::string format_command(std::span<const std::string> argv) {
  std::vector<const char*> args;
  std::vector<std::size_t> lengths;
  args.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const auto& arg : argv) {
    args.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  char* formatted = nullptr;
  const int length = redisFormatCommandArgv(&formatted, static_cast<int>(argv.size()), args.data(),
                                            lengths.data());
  if (length < 0) throw std::bad_alloc();
  std::string command(formatted, static_cast<std::size_t>(length));
  redisFreeCommand(formatted);
  return command;
}

RedisReader::RedisReader(std::size_t max_bulk, std::size_t max_elements)
    : max_bulk_(max_bulk), max_elements_(max_elements), parser_(std::make_unique<Parser>()) {
  if (parser_->reader == nullptr) throw std::bad_alloc();
}

RedisReader::~RedisReader() = default;

bool RedisReader::feed(std::string_view bytes) {
  while (!bytes.empty() && error_.empty()) {
    if (to_skip_ > 0) {
      const std::size_t n = std::min(to_skip_, bytes.size());
      to_skip_ -= n;
      bytes.remove_prefix(n);
    } else if (to_pass_ > 0) {
      const std::size_t n = std::min(to_pass_, bytes.size());
      if (!pass(bytes.substr(0, n))) break;
      to_pass_ -= n;
      bytes.remove_prefix(n);
    } else {
      // A type line: gathered up to its LF, then judged whole.
      const auto lf = bytes.find('\n');
      const std::size_t n = lf == std::string_view::npos ? bytes.size() : lf + 1;
      line_.append(bytes.substr(0, n));
      bytes.remove_prefix(n);
      if (line_.size() > kMaxLine) {
        error_ = "a line of over 64 KiB";
      } else if (lf != std::string_view::npos) {
        const std::string line = std::move(line_);
        line_.clear();
        header(line);
      }
    }
  }
  return error_.empty();
}

bool RedisReader::header(std::string_view line) {
  if (line.size() < 3 || line[line.size() - 2] != '\r') {
    error_ = "a line not ended by CRLF";
    return false;
  }
  const std::string_view number = line.substr(1, line.size() - 3);
  long long count = 0;
  const auto parse = [&] {
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), count);
    return ec == std::errc{} && end == number.data() + number.size();
  };
  switch (line[0]) {
    case '$':
      if (!parse() || count < -1) break;
      if (count >= 0 && static_cast<unsigned long long>(count) > max_bulk_) {
        ++oversized_;
        to_skip_ = static_cast<std::size_t>(count) + 2;
        return pass("$-1\r\n");
      }
      to_pass_ = count >= 0 ? static_cast<std::size_t>(count) + 2 : 0;
      return pass(line);
    case '*':
      if (!parse() || count < -1) break;
      if (count > static_cast<long long>(max_elements_)) {
        error_ = "an array of " + std::to_string(count) + " elements";
        return false;
      }
      return pass(line);
    case '+':
    case '-':
    case ':':
      return pass(line);
    default:
      break;
  }
  error_ = "not Redis's protocol";
  return false;
}

bool RedisReader::pass(std::string_view bytes) {
  // One reply is at most about one bulk string long: many of them in one array (which no reply
  // this suite asks for holds) would otherwise be held whole, however short each is.
  since_reply_ += bytes.size();
  if (since_reply_ > max_bulk_ + kReplySlack) {
    error_ = "a reply of over " + std::to_string(max_bulk_ + kReplySlack) + " bytes";
    return false;
  }
  if (redisReaderFeed(parser_->reader, bytes.data(), bytes.size()) != REDIS_OK) {
    error_ = reader_error(parser_->reader->errstr);
    return false;
  }
  return true;
}

std::optional<RedisReply> RedisReader::next() {
  if (!error_.empty()) return std::nullopt;
  void* reply = nullptr;
  if (redisReaderGetReply(parser_->reader, &reply) != REDIS_OK) {
    error_ = reader_error(parser_->reader->errstr);
    return std::nullopt;
  }
  if (reply == nullptr) return std::nullopt;
  // What hiredis holds now is of the replies after this one.
  since_reply_ = parser_->reader->len - parser_->reader->pos;
  std::unique_ptr<redisReply, void (*)(void*)> owned(static_cast<redisReply*>(reply),
                                                     freeReplyObject);
  return value_of(*owned);
}

}  // namespace gonet
