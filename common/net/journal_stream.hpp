#pragma once

#include <memory>

#include <spdlog/pattern_formatter.h>

namespace gonet {

// Whether stderr is systemd's journal: the stream JOURNAL_STREAM ("DEVICE:INODE") names, checked
// as systemd.exec(5) advises, so that the variable inherited by a program whose stderr was
// redirected elsewhere does not count.
bool stderr_is_journal();

// The sd-daemon(3) prefix by which journald records a line's priority: "<3>" for an error, "<4>"
// a warning, "<6>" info, "<7>" debug and trace.
class JournalPriority : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override;
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JournalPriority>();
  }
};

}  // namespace gonet
