#include "common/net/log.hpp"

#include <memory>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "common/net/journal_stream.hpp"

namespace gonet {
namespace {

// Info and error lines carry no level tag, so an error reads as Unix tools print them:
// "netcat1: connect localhost:8000: connection refused".
class LevelTag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string_view tag;
    switch (msg.level) {
      case spdlog::level::trace:
        tag = "trace: ";
        break;
      case spdlog::level::debug:
        tag = "debug: ";
        break;
      case spdlog::level::warn:
        tag = "warning: ";
        break;
      default:
        break;
    }
    dest.append(tag.data(), tag.data() + tag.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<LevelTag>();
  }
};

}  // namespace

void init_logging(std::string_view program, spdlog::level::level_enum level) {
  auto logger = std::make_shared<spdlog::logger>(std::string(program),
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<LevelTag>('*');
  if (stderr_is_journal()) {
    // Under systemd: journald names the program and stamps the time itself, and the priority
    // prefix lets it record each line's level (journalctl -p warning).
    formatter->add_flag<JournalPriority>('J').set_pattern("%J%*%v");
  } else {
    formatter->set_pattern("%n: %*%v");
  }
  logger->set_formatter(std::move(formatter));
  logger->set_level(level);
  // A line must reach stderr when it is logged: tests and supervisors read it as it comes.
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
}

void RateLimitedWarning::warn(std::string_view message) {
  const auto now = std::chrono::steady_clock::now();
  if (now < next_) {
    ++suppressed_;
    return;
  }
  if (suppressed_ > 0) {
    spdlog::warn("{} ({} more since the last warning)", message, suppressed_);
  } else {
    spdlog::warn("{}", message);
  }
  suppressed_ = 0;
  next_ = now + interval_;
}

}  // namespace gonet
