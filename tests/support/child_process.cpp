#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <stdexcept>
#include <system_error>

#include "tests/support/poll_deadline.hpp"

#ifndef GONET_BIN_DIR
#error "define GONET_BIN_DIR as a string literal: the directory of the built programs"
#endif

extern char** environ;

namespace testsupport {
namespace {

using Clock = std::chrono::steady_clock;

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    reset(std::exchange(o.fd_, -1));
    return *this;
  }
  ~UniqueFd() { reset(); }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// Both ends close-on-exec: the child gets its end through dup2, which clears the flag.
std::pair<UniqueFd, UniqueFd> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void set_nonblocking(const UniqueFd& fd) {
  if (fd && ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) | O_NONBLOCK) != 0) {
    throw_errno("fcntl O_NONBLOCK");
  }
}

int pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  return -1;
#endif
}

std::vector<std::string> child_environment(const ChildOptions& opts) {
  auto overridden = [&](std::string_view entry) {
    auto name = entry.substr(0, entry.find('='));
    return std::find(opts.unset_env.begin(), opts.unset_env.end(), name) != opts.unset_env.end() ||
           std::any_of(opts.env.begin(), opts.env.end(),
                       [&](const auto& kv) { return kv.first == name; });
  };
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!overridden(*e)) env.emplace_back(*e);
  }
  for (const auto& [name, value] : opts.env) env.push_back(name + "=" + value);
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

[[noreturn]] void report_errno_and_exit(int report_fd) {
  int e = errno;
  (void)!::write(report_fd, &e, sizeof e);
  ::_exit(127);
}

// The child has fds 0, 1, 2 and report_fd (close-on-exec) and nothing else; it may only make
// async-signal-safe calls. A failure is reported as errno on report_fd.
[[noreturn]] void exec_child(pid_t parent, int in, bool close_in, int out, int err, int report_fd,
                             char** argv, char** envp) {
  // Checked after the prctl, so a parent that died just before it is not missed.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(127);
  // A process group of its own, whose parent (the test) is in the same session: never orphaned
  // while the test lives. A run of the suite from a background job (the stress script) had the
  // test's group orphaned, and POSIX sends an orphaned group with a stopped member SIGHUP and
  // SIGCONT: a clock2 a test had stopped (SIGSTOP) died of SIGHUP once.
  if (::setpgid(0, 0) != 0) report_errno_and_exit(report_fd);
  // A handler is reset by exec anyway, but SIG_IGN (ours for SIGPIPE) and the mask would stay.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  auto move_to = [&](int fd, int target) {
    // dup2 onto itself would leave the close-on-exec flag set.
    if (fd == target ? ::fcntl(fd, F_SETFD, 0) != 0 : ::dup2(fd, target) < 0) {
      report_errno_and_exit(report_fd);
    }
  };
  if (close_in) {
    ::close(0);
  } else {
    move_to(in, 0);
  }
  if (out >= 0) move_to(out, 1);
  move_to(err, 2);
  // Test fds opened without O_CLOEXEC must not keep a socket or pipe open in the child either.
  if (report_fd > 3) ::close_range(3, report_fd - 1, 0);
  ::close_range(std::max(3, report_fd + 1), ~0U, 0);

  ::execvpe(argv[0], argv, envp);
  report_errno_and_exit(report_fd);
}

std::optional<std::string> take_line(std::string& buf) {
  auto end = buf.find('\n');
  if (end == std::string::npos) return std::nullopt;
  std::string line = buf.substr(0, end);
  buf.erase(0, end + 1);
  return line;
}

std::uint16_t port_at_end(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  auto colon = line.rfind(':');
  auto digits = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  unsigned long port = 0;
  for (char c : digits) {
    if (c < '0' || c > '9' || port > 65535) return 0;
    port = port * 10 + (c - '0');
  }
  return port <= 65535 ? static_cast<std::uint16_t>(port) : 0;
}

}  // namespace

std::string bin(std::string_view program) {
  return std::string(GONET_BIN_DIR) + "/" + std::string(program);
}

struct ChildProcess::State {
  std::string name;
  pid_t pid = -1;
  std::optional<int> wait_status;
  UniqueFd pidfd, in, out, err;
  std::string out_buf, err_text;
  std::size_t err_scanned = 0;  // err_text up to here went through wait_for_stderr_line
  bool stdout_captured = true;

  ~State() {
    if (pid > 0 && !wait_status) {
      ::kill(pid, SIGKILL);
      int st;
      while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
      }
    }
  }

  // Bounded, so that a child writing without pause cannot keep a wait from seeing its deadline.
  static void drain(UniqueFd& fd, std::string& buf) {
    char chunk[65536];
    for (int i = 0; fd && i < 16; ++i) {
      ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
      if (n > 0) {
        buf.append(chunk, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        fd.reset();
      } else if (errno == EAGAIN) {
        return;
      }
    }
  }

  // After a reap the pipes hold everything the child wrote, so the waits that give up when the
  // child is gone never miss its last words.
  void try_reap() {
    if (wait_status) return;
    int st;
    if (::waitpid(pid, &st, WNOHANG) == pid) {
      wait_status = st;
      pidfd.reset();
      drain(out, out_buf);
      drain(err, err_text);
    }
  }

  // Waits for output, the child's exit or (if asked) room in its stdin pipe, and takes it in.
  // Returns false once the deadline has passed or nothing more can happen.
  bool pump(Clock::time_point deadline, bool want_stdin = false) {
    pollfd fds[4];
    nfds_t n = 0;
    auto watch = [&](const UniqueFd& fd, short events) {
      if (fd) fds[n++] = {fd.get(), events, 0};
    };
    watch(out, POLLIN);
    watch(err, POLLIN);
    if (!wait_status) watch(pidfd, POLLIN);
    if (want_stdin) watch(in, POLLOUT);
    // Without a pidfd (old kernel, seccomp) the only way to notice the exit is to ask often.
    bool blind = !wait_status && !pidfd;
    if (n == 0 && !blind) return false;
    int ms = poll_timeout_ms(deadline);
    if (blind) ms = std::min(ms, 10);
    int ready = ::poll(fds, n, ms);
    if (ready < 0 && errno != EINTR) throw_errno("poll");
    drain(out, out_buf);
    drain(err, err_text);
    try_reap();
    return ready > 0 || Clock::now() < deadline;
  }

  template <class Done>
  bool wait_until(Clock::time_point deadline, Done done) {
    while (!done()) {
      if (!pump(deadline)) return done();
    }
    return true;
  }

  std::optional<std::string> next_stderr_line(const std::function<bool(std::string_view)>& match) {
    for (;;) {
      auto end = err_text.find('\n', err_scanned);
      if (end == std::string::npos) return std::nullopt;
      std::string_view line(err_text.data() + err_scanned, end - err_scanned);
      err_scanned = end + 1;
      if (match(line)) return std::string(line);
    }
  }

  std::optional<int> exit_code() const {
    if (!wait_status) return std::nullopt;
    int st = *wait_status;
    return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
  }

  void require_stdout() const {
    if (!stdout_captured) throw std::logic_error(name + ": stdout is not captured");
  }
};

ChildProcess::ChildProcess(std::unique_ptr<State> state) : s_(std::move(state)) {}
ChildProcess::ChildProcess(ChildProcess&&) noexcept = default;
ChildProcess& ChildProcess::operator=(ChildProcess&&) noexcept = default;
ChildProcess::~ChildProcess() = default;

ChildProcess ChildProcess::start(std::vector<std::string> argv, Options opts) {
  if (argv.empty()) throw std::invalid_argument("ChildProcess::start: empty argv");
  // A write to the stdin of a child that has exited must fail with EPIPE, not kill the test.
  static const bool sigpipe_ignored = (std::signal(SIGPIPE, SIG_IGN), true);
  (void)sigpipe_ignored;

  auto s = std::make_unique<State>();
  s->name = argv[0];
  s->stdout_captured = opts.capture_stdout && !opts.close_stdout_reader;
  // Everything the child needs is built now: after fork it may not allocate.
  std::vector<std::string> env = child_environment(opts);
  std::vector<char*> c_argv = c_strings(argv);
  std::vector<char*> c_env = c_strings(env);

  UniqueFd child_in, child_out, child_err;
  switch (opts.stdin_mode) {
    case StdinMode::kPipe:
      std::tie(child_in, s->in) = make_pipe();
      break;
    case StdinMode::kDevNull:
      child_in.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
      if (!child_in) throw_errno("open /dev/null");
      break;
    case StdinMode::kFile:
      child_in.reset(::open(opts.stdin_path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!child_in) throw_errno("open " + opts.stdin_path);
      break;
    case StdinMode::kClosed:
      break;
  }
  if (opts.close_stdout_reader) {
    child_out = make_pipe().second;  // the read end is closed here
  } else if (opts.capture_stdout) {
    std::tie(s->out, child_out) = make_pipe();
  }
  std::tie(s->err, child_err) = make_pipe();
  auto [report_r, report_w] = make_pipe();

  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw_errno("fork");
  if (pid == 0) {
    exec_child(parent, child_in.get(), opts.stdin_mode == StdinMode::kClosed, child_out.get(),
               child_err.get(), report_w.get(), c_argv.data(), c_env.data());
  }
  s->pid = pid;
  report_w.reset();
  // EOF here means the exec succeeded: the close-on-exec report pipe closed with it.
  int child_errno = 0;
  ssize_t n;
  while ((n = ::read(report_r.get(), &child_errno, sizeof child_errno)) < 0 && errno == EINTR) {
  }
  if (n == sizeof child_errno) {
    int st;
    ::waitpid(pid, &st, 0);
    s->wait_status = st;
    throw std::system_error(child_errno, std::generic_category(), "exec " + argv[0]);
  }
  s->pidfd.reset(pidfd_open(pid));
  set_nonblocking(s->in);
  set_nonblocking(s->out);
  set_nonblocking(s->err);
  return ChildProcess(std::move(s));
}

std::optional<std::string> ChildProcess::wait_for_stderr_line(std::string_view substring,
                                                              std::chrono::milliseconds timeout) {
  return wait_for_stderr_line(
      [&](std::string_view line) { return line.find(substring) != std::string_view::npos; },
      timeout);
}

std::optional<std::string> ChildProcess::wait_for_stderr_line(const std::regex& pattern,
                                                              std::chrono::milliseconds timeout) {
  return wait_for_stderr_line(
      [&](std::string_view line) { return std::regex_search(line.begin(), line.end(), pattern); },
      timeout);
}

std::optional<std::string> ChildProcess::wait_for_stderr_line(
    const std::function<bool(std::string_view)>& match, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto line = s_->next_stderr_line(match)) return line;
    if (!s_->err || s_->wait_status || !s_->pump(deadline)) {
      return s_->next_stderr_line(match);
    }
  }
}

std::uint16_t ChildProcess::wait_for_listening(std::chrono::milliseconds timeout) {
  if (auto line = wait_for_stderr_line("listening on ", timeout)) {
    if (auto port = port_at_end(*line)) return port;
    throw std::runtime_error(s_->name + ": no port at the end of: " + *line);
  }
  // A child closes stderr as it exits, a moment before it can be reaped: give it that moment, so
  // the message says how it ended.
  if (!s_->err) {
    s_->wait_until(Clock::now() + std::chrono::milliseconds(500),
                   [&] { return s_->wait_status.has_value(); });
  }
  std::string why;
  if (auto code = s_->exit_code()) {
    why = "exited with status " + std::to_string(*code);
  } else if (!s_->err) {
    why = "closed stderr";
  } else {
    why = "did not log it within " + std::to_string(timeout.count()) + " ms";
  }
  throw std::runtime_error(s_->name + ": waiting for \"listening on\", " + why +
                           "; stderr so far:\n" + stderr_text());
}

std::string ChildProcess::stderr_text() {
  State::drain(s_->err, s_->err_text);
  return s_->err_text;
}

std::optional<std::string> ChildProcess::read_stdout_line(std::chrono::milliseconds timeout) {
  s_->require_stdout();
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (auto line = take_line(s_->out_buf)) return line;
    if (!s_->out || !s_->pump(deadline)) return take_line(s_->out_buf);
  }
}

std::string ChildProcess::read_stdout_until_eof(std::chrono::milliseconds timeout) {
  s_->require_stdout();
  s_->wait_until(Clock::now() + timeout, [&] { return !s_->out; });
  return std::exchange(s_->out_buf, {});
}

std::string ChildProcess::read_stdout_bytes(std::size_t n, std::chrono::milliseconds timeout) {
  s_->require_stdout();
  s_->wait_until(Clock::now() + timeout, [&] { return s_->out_buf.size() >= n || !s_->out; });
  n = std::min(n, s_->out_buf.size());
  std::string bytes = s_->out_buf.substr(0, n);
  s_->out_buf.erase(0, n);
  return bytes;
}

bool ChildProcess::stdout_eof() const { return s_->stdout_captured && !s_->out; }

void ChildProcess::write_stdin(std::string_view data, std::chrono::milliseconds timeout) {
  if (!s_->in) throw std::logic_error(s_->name + ": stdin is not an open pipe");
  auto deadline = Clock::now() + timeout;
  while (!data.empty()) {
    ssize_t n = ::write(s_->in.get(), data.data(), data.size());
    if (n > 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EPIPE) {
      throw std::runtime_error(s_->name + ": write to stdin: the child closed it");
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      throw_errno(s_->name + ": write to stdin");
    } else if (!s_->pump(deadline, /*want_stdin=*/true)) {
      throw std::runtime_error(s_->name + ": write to stdin: " + std::to_string(data.size()) +
                               " bytes not taken within " + std::to_string(timeout.count()) +
                               " ms");
    }
  }
}

void ChildProcess::close_stdin() { s_->in.reset(); }

void ChildProcess::signal(int sig) {
  // Until it is reaped the pid cannot be reused, so this never hits another process.
  if (!s_->wait_status) ::kill(s_->pid, sig);
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  s_->wait_until(Clock::now() + timeout, [&] { return s_->wait_status.has_value(); });
  return s_->exit_code();
}

bool ChildProcess::running() {
  s_->try_reap();
  return !s_->wait_status;
}

pid_t ChildProcess::pid() const { return s_->pid; }

}  // namespace testsupport
