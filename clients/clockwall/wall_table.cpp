#include "clients/clockwall/wall_table.hpp"

#include <algorithm>

namespace gonet {
namespace {

// Room for the default "%H:%M:%S" from the start, so the first tick does not re-lay the table.
constexpr std::size_t kTimeWidth = 8;

// Columns on screen: one per UTF-8 character, which is right for names like "Zürich".
std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

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

}  // namespace gonet
