#include "clients/clockwall/log_above.hpp"

#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

namespace gonet {
namespace {

// Around the logger's own sinks (which keep its format): clear, the line, redraw.
class AboveSink : public spdlog::sinks::sink {
 public:
  AboveSink(std::vector<spdlog::sink_ptr> inner, std::function<void()> clear,
            std::function<void()> redraw)
      : inner_(std::move(inner)), clear_(std::move(clear)), redraw_(std::move(redraw)) {}

  void log(const spdlog::details::log_msg& msg) override {
    clear_();
    for (const auto& sink : inner_) {
      if (!sink->should_log(msg.level)) continue;
      sink->log(msg);
      sink->flush();  // the line must be out before the display is drawn under it
    }
    redraw_();
  }
  void flush() override {
    for (const auto& sink : inner_) sink->flush();
  }
  void set_pattern(const std::string& pattern) override {
    for (const auto& sink : inner_) sink->set_pattern(pattern);
  }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    for (const auto& sink : inner_) sink->set_formatter(formatter->clone());
  }

 private:
  std::vector<spdlog::sink_ptr> inner_;
  std::function<void()> clear_;
  std::function<void()> redraw_;
};

}  // namespace

LogAbove::LogAbove(std::function<void()> clear, std::function<void()> redraw)
    : logger_(spdlog::default_logger()), own_sinks_(logger_->sinks()) {
  logger_->sinks() = {std::make_shared<AboveSink>(own_sinks_, std::move(clear), std::move(redraw))};
}

LogAbove::~LogAbove() { logger_->sinks() = own_sinks_; }

}  // namespace gonet
