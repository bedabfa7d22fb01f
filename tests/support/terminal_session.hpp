// A program run on a pseudo-terminal, as a user runs it at a shell prompt: its stdin, stdout and
// stderr are the terminal, it is the terminal's foreground process (so ^C is SIGINT), and the
// test sees the screen as the bytes the program drew.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace testsupport {

// A window's size; 0 x 0 is a terminal that does not say (as a fresh pseudo-terminal).
struct TerminalSize {
  unsigned short columns = 0;
  unsigned short rows = 0;
};

class TerminalSession {
 public:
  // Starts argv[0] (a path) on a new pseudo-terminal. Throws std::system_error on failure.
  explicit TerminalSession(std::vector<std::string> argv, TerminalSize size = {});
  ~TerminalSession();  // SIGKILLs and reaps the program if it still runs
  TerminalSession(const TerminalSession&) = delete;
  TerminalSession& operator=(const TerminalSession&) = delete;

  // The program's side of the terminal, to inspect its flags and settings.
  int slave() const { return slave_; }
  pid_t pid() const { return pid_; }

  // The user resizes the window: the program gets SIGWINCH, and TIOCGWINSZ says the new size.
  void resize(TerminalSize size);

  // What the user types: "\x03" is ^C, "\x04" is ^D.
  void type(std::string_view keys);

  // Everything shown so far, after waiting until `text` shows (or the timeout).
  const std::string& wait_for_screen(std::string_view text, std::chrono::milliseconds timeout);
  const std::string& screen();

  // The exit code, or 128 + the signal that ended it; nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

 private:
  void drain();

  int master_ = -1;
  int slave_ = -1;
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string screen_;
};

}  // namespace testsupport
