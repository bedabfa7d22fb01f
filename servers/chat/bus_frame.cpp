#include "servers/chat/bus_frame.hpp"

#include <charconv>
#include <vector>

namespace gonet {
namespace {

constexpr std::string_view kVersion = "g1";

bool is_kind(char c) { return c == 'M' || c == 'A' || c == 'L' || c == 'H' || c == 'E'; }

}  // namespace

std::string encode(const BusFrame& frame) {
  std::string bytes;
  bytes.reserve(frame.node.size() + frame.text.size() + 32);
  bytes.append(kVersion).append(1, '\t').append(frame.node).append(1, '\t');
  bytes.append(std::to_string(frame.seq)).append(1, '\t');
  bytes.append(1, static_cast<char>(frame.kind)).append(1, '\t').append(frame.text);
  return bytes;
}

std::optional<BusFrame> decode(std::string_view bytes) {
  // The four fields before the text hold no tab; the text is the rest, whatever it holds.
  std::vector<std::string_view> fields;
  for (int i = 0; i < 4; ++i) {
    const auto tab = bytes.find('\t');
    if (tab == std::string_view::npos) return std::nullopt;
    fields.push_back(bytes.substr(0, tab));
    bytes.remove_prefix(tab + 1);
  }
  if (fields[0] != kVersion || fields[1].empty()) return std::nullopt;
  BusFrame frame;
  frame.node = std::string(fields[1]);
  const auto& seq = fields[2];
  const auto [end, ec] = std::from_chars(seq.data(), seq.data() + seq.size(), frame.seq);
  if (seq.empty() || ec != std::errc{} || end != seq.data() + seq.size()) return std::nullopt;
  if (fields[3].size() != 1 || !is_kind(fields[3][0])) return std::nullopt;
  frame.kind = static_cast<BusFrame::Kind>(fields[3][0]);
  frame.text = std::string(bytes);
  return frame;
}

std::string encode(const BusMember& member) {
  return std::to_string(member.id) + ' ' + member.name;
}

std::optional<BusMember> decode_member(std::string_view text) {
  const auto space = text.find(' ');
  if (space == std::string_view::npos || space == 0 || space + 1 == text.size()) {
    return std::nullopt;
  }
  BusMember member;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + space, member.id);
  if (ec != std::errc{} || end != text.data() + space) return std::nullopt;
  member.name = std::string(text.substr(space + 1));
  return member;
}

std::vector<BusMember> decode_members(std::string_view text) {
  std::vector<BusMember> members;
  while (!text.empty()) {
    const auto tab = text.find('\t');
    if (auto member = decode_member(text.substr(0, tab))) members.push_back(std::move(*member));
    if (tab == std::string_view::npos) break;
    text.remove_prefix(tab + 1);
  }
  return members;
}

SequenceCheck NodeSequence::heartbeat(std::uint64_t seq) {
  SequenceCheck check;
  if (last_ && seq < *last_) {
    check.stale = true;
    return check;
  }
  if (last_) check.missed = seq - *last_;
  last_ = seq;
  return check;
}

SequenceCheck NodeSequence::next(std::uint64_t seq) {
  SequenceCheck check;
  if (last_ && seq <= *last_) {
    check.stale = true;
    return check;
  }
  if (last_) check.missed = seq - *last_ - 1;
  last_ = seq;
  return check;
}

}  // namespace gonet
