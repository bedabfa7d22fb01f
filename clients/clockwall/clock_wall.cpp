#include "clients/clockwall/clock_wall.hpp"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>

#include "clients/clockwall/cell_text.hpp"
#include "common/net/awaitable.hpp"
#include "common/net/second_ticker.hpp"

namespace gonet {
namespace {

using namespace asio::experimental::awaitable_operators;

// The terminal's width now, as the user may change it at any time; 0 if it does not say.
std::size_t terminal_columns() {
  winsize size{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) != 0) return 0;
  return size.ws_col;
}

// Whether stderr shows on the same terminal as stdout, where its lines would land in the table.
bool stderr_shares_the_terminal() {
  struct stat out {};
  struct stat err {};
  return ::isatty(STDERR_FILENO) == 1 && ::fstat(STDOUT_FILENO, &out) == 0 &&
         ::fstat(STDERR_FILENO, &err) == 0 && out.st_rdev == err.st_rdev;
}

}  // namespace

ClockWall::ClockWall(const asio::any_io_executor& executor, std::vector<std::string> names,
                     bool terminal)
    : table_(std::move(names)),
      terminal_(terminal),
      answered_(table_.size(), false),
      changed_(executor) {}

ClockWall::~ClockWall() {
  // Ctrl-C included: the program's coroutines are destroyed on the way out.
  if (terminal_) write(table_.terminal_end());
}

void ClockWall::show(std::size_t column, std::string_view line) {
  const CellText cell = cell_text(line);
  if (cell.text) answered_[column] = true;
  table_.set(column, cell.shown);
  stale_ = true;
  changed_.notify_all();
}

void ClockWall::show_down(std::size_t column) {
  if (table_.cell(column) == WallTable::kDown) return;
  table_.set(column, WallTable::kDown);
  stale_ = true;
  changed_.notify_all();
}

asio::awaitable<void> ClockWall::print_rows() {
  if (terminal_) {
    co_await draw_live();
  } else {
    co_await print_each_second();
  }
}

asio::awaitable<void> ClockWall::draw_live() {
  // Watched before the first draw: a resize between the draw and the wait is queued by the set,
  // not lost to SIGWINCH's default (ignore).
  asio::signal_set resized(changed_.get_executor(), SIGWINCH);
  redraw();
  if (stderr_shares_the_terminal()) {
    log_above_.emplace([this] { write(table_.terminal_clear()); }, [this] { redraw(); });
  }
  // From now on log lines go above the table, and it is redrawn at each change, or when the
  // window changes size (each draw asks for the width), until the program ends.
  co_await (redraw_when_stale() || redraw_when_resized(resized));
}

// At most kRedrawsPerSecond: ticks a second apart are drawn as they come, and a burst of changes
// (clocks that all tick at once, or one that floods until it is cut off) is drawn once, with the
// latest of each.
asio::awaitable<void> ClockWall::redraw_when_stale() {
  asio::steady_timer pace(changed_.get_executor());
  for (;;) {
    while (!stale_) co_await changed_.wait();
    redraw();
    pace.expires_after(std::chrono::seconds(1) / kRedrawsPerSecond);
    co_await pace.async_wait(use_nothrow);
  }
}

asio::awaitable<void> ClockWall::redraw_when_resized(asio::signal_set& resized) {
  for (;;) {
    auto [ec, number] = co_await resized.async_wait(use_nothrow);
    if (ec) co_return;
    stale_ = true;
    changed_.notify_all();
  }
}

void ClockWall::redraw() {
  stale_ = false;
  write(table_.terminal_redraw(terminal_columns()));
}

asio::awaitable<void> ClockWall::print_each_second() {
  SecondTicker ticker(changed_.get_executor());
  asio::steady_timer settle(changed_.get_executor());
  auto second = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  for (;;) {
    second = co_await ticker.next_after(second);
    // Let the clocks' lines for this second arrive before the row goes out.
    settle.expires_after(std::chrono::milliseconds(300));
    co_await settle.async_wait(use_nothrow);
    write(table_.plain_rows());
  }
}

asio::awaitable<std::vector<std::size_t>> ClockWall::print_once(std::chrono::nanoseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::count(answered_.begin(), answered_.end(), false) > 0 &&
         std::chrono::steady_clock::now() < deadline) {
    asio::steady_timer limit(changed_.get_executor(), deadline);
    // Whichever comes first: a change or the deadline.
    limit.async_wait([this](const std::error_code& ec) {
      if (!ec) changed_.notify_all();
    });
    co_await changed_.wait();
  }
  std::vector<std::size_t> silent;
  for (std::size_t i = 0; i < answered_.size(); ++i) {
    if (!answered_[i]) {
      silent.push_back(i);
      table_.set(i, WallTable::kDown);
    }
  }
  write(table_.plain_rows());
  co_return silent;
}

void ClockWall::write(std::string_view text) {
  // Blocking writes: a few dozen bytes a second, and stdout keeps the flags it came with.
  while (!text.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace gonet
