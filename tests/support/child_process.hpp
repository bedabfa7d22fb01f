// A real program under test, run as a child process with its stdio on pipes.
//
// Every wait takes a timeout and returns (or throws) when it runs out, so a broken program fails a
// test instead of hanging it. While waiting for one thing, the child's stdout and stderr are both
// read into memory, so a child that writes a lot to one pipe never blocks on it while the test
// waits on the other.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace testsupport {

// The path of a built program of the suite, in the directory GONET_BIN_DIR names.
std::string bin(std::string_view program);

enum class StdinMode {
  kPipe,     // the test writes with write_stdin() and ends it with close_stdin()
  kDevNull,  // reading gives EOF at once
  kClosed,   // fd 0 is not open at all
  kFile,     // ChildOptions::stdin_path, opened read-only
};

// At namespace scope, not nested in ChildProcess, so that `ChildOptions opts = {}` can be a
// default argument of ChildProcess::start.
struct ChildOptions {
  std::vector<std::pair<std::string, std::string>> env;  // set or override, e.g. {"TZ", "UTC"}
  std::vector<std::string> unset_env;                    // removed from the inherited environment
  StdinMode stdin_mode = StdinMode::kPipe;
  std::string stdin_path;      // for StdinMode::kFile
  bool capture_stdout = true;  // false: the child writes to the test's own stdout
  // stdout a pipe whose read end is already closed, as in `prog | true`: a write to it raises
  // SIGPIPE (EPIPE where that is ignored). Takes the place of capture_stdout.
  bool close_stdout_reader = false;
};

class ChildProcess {
 public:
  using Options = ChildOptions;

  // Starts argv[0] (looked up in PATH if it has no slash). Throws std::system_error if it cannot be
  // executed. The child gets fds 0, 1, 2 only, default signal handling, and SIGKILL if the test
  // process dies, so a crashed test leaves no server behind.
  static ChildProcess start(std::vector<std::string> argv, Options opts = {});

  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) noexcept;
  ~ChildProcess();  // SIGKILLs and reaps the child if it still runs

  // Lines are complete lines (ended by '\n', returned without it). Each call looks at the stderr
  // lines after the ones earlier calls went through, so waiting twice for the same text finds two
  // lines. Returns nullopt on timeout, or at once when the child exited or closed stderr without
  // such a line.
  std::optional<std::string> wait_for_stderr_line(std::string_view substring,
                                                  std::chrono::milliseconds timeout);
  std::optional<std::string> wait_for_stderr_line(const std::regex& pattern,
                                                  std::chrono::milliseconds timeout);
  std::optional<std::string> wait_for_stderr_line(
      const std::function<bool(std::string_view)>& match, std::chrono::milliseconds timeout);

  // Waits for the server's `listening on HOST:PORT` line and returns PORT. Throws
  // std::runtime_error, quoting the stderr seen so far, if the line does not come in time or the
  // child exits first.
  std::uint16_t wait_for_listening(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // All stderr text the child wrote so far, including what wait_for_stderr_line went through.
  std::string stderr_text();

  // stdout is consumed as it is returned. A last line without '\n' is left for the other two.
  std::optional<std::string> read_stdout_line(std::chrono::milliseconds timeout);
  // Everything up to EOF, or what came before the timeout (then stdout_eof() is false).
  std::string read_stdout_until_eof(std::chrono::milliseconds timeout);
  // n bytes, or fewer on EOF or timeout.
  std::string read_stdout_bytes(std::size_t n, std::chrono::milliseconds timeout);
  bool stdout_eof() const;

  // Throws std::runtime_error if the child does not take it all in time or has closed its stdin.
  void write_stdin(std::string_view data,
                   std::chrono::milliseconds timeout = std::chrono::seconds(5));
  void close_stdin();

  void signal(int sig);
  // The exit code, or 128 + the signal that killed it, as a shell reports it; nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  bool running();
  pid_t pid() const;

 private:
  struct State;
  explicit ChildProcess(std::unique_ptr<State> state);
  std::unique_ptr<State> s_;
};

}  // namespace testsupport
