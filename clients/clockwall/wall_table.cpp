#include "clients/clockwall/wall_table.hpp"

#include <algorithm>

#include "clients/clockwall/display_width.hpp"

namespace gonet {
namespace {

// Room for the default "%H:%M:%S" from the start, so the first tick does not re-lay the table.
constexpr std::size_t kTimeWidth = 8;
constexpr std::size_t kGap = 2;  // spaces between columns

}  // namespace

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

std::string WallTable::line(const std::vector<std::string>& texts, std::size_t shown) const {
  std::string out;
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) out.append(kGap, ' ');
    out += texts[i];
    if (i + 1 < texts.size()) out.append(widths_[i] - display_width(texts[i]), ' ');
  }
  if (shown < texts.size()) out.append(kGap, ' ').append(kMore);
  return out;
}

std::size_t WallTable::columns_that_fit(std::size_t room) const {
  std::size_t used = 0;
  std::size_t fit = 0;
  for (std::size_t i = 0; i < widths_.size(); ++i) {
    const std::size_t with = used + (i > 0 ? kGap : 0) + widths_[i];
    const std::size_t more = i + 1 < widths_.size() ? kGap + display_width(kMore) : 0;
    if (with + more > room) break;
    used = with;
    fit = i + 1;
  }
  return std::max<std::size_t>(fit, 1);
}

std::string WallTable::plain_rows() {
  std::string out;
  if (!drawn_ || widened_) out = header() + "\n";
  drawn_ = true;
  widened_ = false;
  return out + row() + "\n";
}

std::string WallTable::terminal_redraw(std::size_t columns) {
  std::size_t shown = size();
  std::string header_line = header();
  std::string row_line = row();
  if (columns > 0) {
    const std::size_t room = columns - 1;
    shown = columns_that_fit(room);
    header_line = cut_to(line(names_, shown), room);
    row_line = cut_to(line(cells_, shown), room);
  }
  // \r: to the start of the row's line; \x1b[K: clear what a longer row left; \x1b[A: up a line.
  std::string out;
  if (!drawn_) {
    out = header_line + "\n";
  } else if (header_line != drawn_header_) {
    out = "\r\x1b[A" + header_line + "\x1b[K\n";
  } else {
    out = "\r";
  }
  drawn_ = true;
  widened_ = false;
  drawn_header_ = std::move(header_line);
  return out + row_line + "\x1b[K";
}

std::string WallTable::terminal_clear() {
  if (!drawn_) return "";
  drawn_ = false;
  // \x1b[J: clear from the cursor to the end of the screen, header and row both.
  return "\r\x1b[A\x1b[J";
}

}  // namespace gonet
