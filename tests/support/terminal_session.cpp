#include "tests/support/terminal_session.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <system_error>

namespace testsupport {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

TerminalSession::TerminalSession(std::vector<std::string> argv_strings, TerminalSize size) {
  winsize window{};
  window.ws_col = size.columns;
  window.ws_row = size.rows;
  if (::openpty(&master_, &slave_, nullptr, nullptr, &window) != 0) {
    throw std::system_error(errno, std::generic_category(), "openpty");
  }
  ::fcntl(master_, F_SETFD, FD_CLOEXEC);
  ::fcntl(slave_, F_SETFD, FD_CLOEXEC);
  ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);  // its own description
  std::vector<char*> argv;
  for (auto& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid_ == 0) {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (const int sig : {SIGINT, SIGTERM, SIGPIPE, SIGHUP}) ::signal(sig, SIG_DFL);
    ::setsid();
    ::ioctl(slave_, TIOCSCTTY, 0);
    for (int fd = 0; fd < 3; ++fd) ::dup2(slave_, fd);  // dup2 clears close-on-exec
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
}

TerminalSession::~TerminalSession() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  ::close(master_);
  ::close(slave_);
}

void TerminalSession::resize(TerminalSize size) {
  winsize window{};
  window.ws_col = size.columns;
  window.ws_row = size.rows;
  // On the terminal's side, as a terminal emulator does: the kernel signals the foreground group.
  if (::ioctl(master_, TIOCSWINSZ, &window) != 0) {
    throw std::system_error(errno, std::generic_category(), "TIOCSWINSZ");
  }
}

void TerminalSession::type(std::string_view keys) {
  while (!keys.empty()) {
    const ssize_t n = ::write(master_, keys.data(), keys.size());
    if (n <= 0) throw std::system_error(errno, std::generic_category(), "write to the pty");
    keys.remove_prefix(static_cast<std::size_t>(n));
  }
}

const std::string& TerminalSession::wait_for_screen(std::string_view text, milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  drain();
  while (screen_.find(text) == std::string::npos && steady_clock::now() < deadline) {
    pollfd ready{master_, POLLIN, 0};
    ::poll(&ready, 1, 10);
    drain();
  }
  return screen_;
}

const std::string& TerminalSession::screen() {
  drain();
  return screen_;
}

std::optional<int> TerminalSession::wait_exit(milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  while (!status_ && steady_clock::now() < deadline) {
    int status;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      status_ = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    } else {
      pollfd ready{master_, POLLIN, 0};
      ::poll(&ready, 1, 10);
    }
    drain();  // the program must never block on a full terminal
  }
  return status_;
}

void TerminalSession::drain() {
  char chunk[4096];
  for (ssize_t n; (n = ::read(master_, chunk, sizeof chunk)) > 0;) {
    screen_.append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace testsupport
