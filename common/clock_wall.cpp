#include "common/clock_wall.hpp"

#include <unistd.h>

#include <spdlog/fmt/fmt.h>
#include <algorithm>
#include <cerrno>

#include "common/awaitable.hpp"
#include "common/second_ticker.hpp"
#include "common/utf8.hpp"

namespace gonet {
namespace {

// Room for the default "%H:%M:%S" from the start, so the first tick does not re-lay the table.
constexpr std::size_t kTimeWidth = 8;

// Columns on screen: one per UTF-8 character, which is right for names like "Zürich".
std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

bool is_control(char32_t rune) { return rune < 0x20 || (rune >= 0x7F && rune < 0xA0); }

}  // namespace

CellText cell_text(std::string_view line) {
  CellText cell{{}, !line.empty()};
  std::size_t width = 0;
  for (std::size_t at = 0; at < line.size();) {
    const utf8::Rune rune = utf8::decode(line, at);
    std::string piece;
    std::size_t piece_width = 1;
    if (rune.valid && !is_control(rune.value)) {
      piece = line.substr(at, rune.width);
    } else {
      cell.text = false;
      for (std::size_t i = at; i < at + rune.width; ++i) {
        piece += fmt::format("\\x{:02X}", static_cast<unsigned char>(line[i]));
      }
      piece_width = piece.size();
    }
    // Room for the "…" unless this is the end of the line.
    const bool last = at + rune.width == line.size();
    if (width + piece_width > CellText::kMaxCellWidth - (last ? 0 : 1)) {
      cell.shown += "…";
      break;
    }
    cell.shown += piece;
    width += piece_width;
    at += rune.width;
  }
  return cell;
}

WallTable::WallTable(std::vector<std::string> names)
    : names_(std::move(names)), cells_(names_.size(), std::string(kWaiting)) {
  for (const auto& name : names_) widths_.push_back(std::max(display_width(name), kTimeWidth));
}

void WallTable::set(std::size_t column, std::string_view text) {
  cells_[column] = text;
  const std::size_t width = display_width(text);
  if (width > widths_[column]) {
    widths_[column] = width;
    widened_ = true;
  }
}

std::string WallTable::line(const std::vector<std::string>& texts) const {
  std::string out;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (i > 0) out += "  ";
    out += texts[i];
    if (i + 1 < texts.size()) out.append(widths_[i] - display_width(texts[i]), ' ');
  }
  return out;
}

std::string WallTable::plain_rows() {
  std::string out;
  if (!drawn_ || widened_) out = header() + "\n";
  drawn_ = true;
  widened_ = false;
  return out + row() + "\n";
}

std::string WallTable::terminal_redraw() {
  // \r: to the start of the row's line; \x1b[K: clear what a longer row left; \x1b[A: up a line.
  std::string out;
  if (!drawn_) {
    out = header() + "\n";
  } else if (widened_) {
    out = "\r\x1b[A" + header() + "\x1b[K\n";
  } else {
    out = "\r";
  }
  drawn_ = true;
  widened_ = false;
  return out + row() + "\x1b[K";
}

ClockWall::ClockWall(const asio::any_io_executor& executor, std::vector<std::string> names,
                     bool terminal)
    : table_(std::move(names)),
      terminal_(terminal),
      answered_(table_.size(), false),
      changed_(executor, asio::steady_timer::time_point::max()) {}

ClockWall::~ClockWall() {
  // Ctrl-C included: the program's coroutines are destroyed on the way out.
  if (terminal_) write(table_.terminal_end());
}

void ClockWall::show(std::size_t column, std::string_view line) {
  const CellText cell = cell_text(line);
  if (cell.text) answered_[column] = true;
  table_.set(column, cell.shown);
  if (live_) write(table_.terminal_redraw());
  changed_.cancel();
}

void ClockWall::show_down(std::size_t column) {
  if (table_.cell(column) == WallTable::kDown) return;
  table_.set(column, WallTable::kDown);
  if (live_) write(table_.terminal_redraw());
  changed_.cancel();
}

asio::awaitable<void> ClockWall::print_rows() {
  if (terminal_) {
    live_ = true;
    write(table_.terminal_redraw());
    asio::steady_timer forever(changed_.get_executor(), asio::steady_timer::time_point::max());
    co_await forever.async_wait(asio::use_awaitable);
  }
  SecondTicker ticker(changed_.get_executor());
  asio::steady_timer settle(changed_.get_executor());
  auto second = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  for (;;) {
    second = (co_await ticker.next_after(second)).value();
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
    // Whichever comes first: a change (show() cancels changed_) or the deadline.
    limit.async_wait([this](const std::error_code& ec) {
      if (!ec) changed_.cancel();
    });
    co_await changed_.async_wait(use_nothrow);
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
