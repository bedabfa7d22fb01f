#include "servers/chat/bus/bus_frame.hpp"

#include <charconv>
#include <limits>

namespace gonet {
namespace {

constexpr std::string_view kVersion = "g2";
constexpr std::size_t kMacHex = 2 * std::tuple_size_v<RoomKeys::Mac>;
constexpr std::uint64_t kLastId = std::numeric_limits<std::uint64_t>::max();

bool is_kind(char c) { return c == 'M' || c == 'A' || c == 'L' || c == 'H' || c == 'E'; }

std::string hex(const RoomKeys::Mac& mac) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(kMacHex);
  for (const std::uint8_t byte : mac) {
    text.push_back(kDigits[byte >> 4]);
    text.push_back(kDigits[byte & 0xF]);
  }
  return text;
}

std::optional<RoomKeys::Mac> from_hex(std::string_view text) {
  if (text.size() != kMacHex) return std::nullopt;
  RoomKeys::Mac mac{};
  for (std::size_t i = 0; i < mac.size(); ++i) {
    const auto [end, ec] =
        std::from_chars(text.data() + 2 * i, text.data() + 2 * i + 2, mac[i], 16);
    if (ec != std::errc{} || end != text.data() + 2 * i + 2) return std::nullopt;
  }
  // Lower case only, as seal() writes it: one frame, one spelling.
  if (hex(mac) != text) return std::nullopt;
  return mac;
}

// A number in decimal as to_string writes it: no sign, no leading zero, no spaces.
std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  return value;
}

// The next tab-separated field of `text`, taken off its front; the rest when there is no tab.
std::string_view next_field(std::string_view& text, bool& last) {
  const auto tab = text.find('\t');
  last = tab == std::string_view::npos;
  const auto field = text.substr(0, tab);
  text.remove_prefix(last ? text.size() : tab + 1);
  return field;
}

std::string numbers_text(std::initializer_list<std::uint64_t> numbers) {
  std::string text;
  for (const auto n : numbers) {
    if (!text.empty()) text += '\t';
    text += std::to_string(n);
  }
  return text;
}

}  // namespace

bool is_node_id(std::string_view text) {
  if (text.empty() || text.size() > kMaxNodeIdBytes) return false;
  for (const char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string seal(const BusFrame& frame, const RoomKeys& keys, std::string_view channel) {
  std::string body;
  body.reserve(frame.node.size() + frame.text.size() + 80);
  body.append(frame.node).append(1, '\t');
  body.append(numbers_text({frame.seq, frame.event, frame.time})).append(1, '\t');
  body.append(1, static_cast<char>(frame.kind)).append(1, '\t').append(frame.text);
  const auto mac = keys.sign({kVersion, "\t", channel, "\t", body});
  std::string bytes;
  bytes.reserve(kVersion.size() + kMacHex + 2 + body.size());
  bytes.append(kVersion).append(1, '\t').append(hex(mac)).append(1, '\t').append(body);
  return bytes;
}

std::string_view describe(FrameFault fault) {
  switch (fault) {
    case FrameFault::none:
      return "none";
    case FrameFault::too_big:
      return "over 1 MiB";
    case FrameFault::not_signed:
      return "not a signed frame of this version";
    case FrameFault::bad_signature:
      return "not signed by this room's key";
    case FrameFault::malformed:
      return "malformed";
    case FrameFault::bad_name:
      return "a name that is neither one -names admits nor an address";
    case FrameFault::bad_text:
      return "a text that is not one line within -max-line";
    case FrameFault::bad_list:
      return "a heartbeat's members out of order";
    case FrameFault::stranger:
      return "a line of a client its node never announced";
  }
  return "unknown";
}

Unsealed unseal(std::string_view bytes, const RoomKeys& keys, std::string_view channel) {
  if (bytes.size() > kMaxFrameBytes) return {std::nullopt, FrameFault::too_big};
  const std::size_t prefix = kVersion.size() + 1;
  if (bytes.size() < prefix + kMacHex + 1 || !bytes.starts_with(kVersion) ||
      bytes[kVersion.size()] != '\t' || bytes[prefix + kMacHex] != '\t') {
    return {std::nullopt, FrameFault::not_signed};
  }
  const auto mac = from_hex(bytes.substr(prefix, kMacHex));
  if (!mac) return {std::nullopt, FrameFault::not_signed};
  std::string_view body = bytes.substr(prefix + kMacHex + 1);
  if (!keys.verify({kVersion, "\t", channel, "\t", body}, *mac)) {
    return {std::nullopt, FrameFault::bad_signature};
  }
  // Signed: the fields are a node's, or a key holder's, and checked all the same.
  BusFrame frame;
  bool last = false;
  const auto node = next_field(body, last);
  const auto seq = last ? std::nullopt : number(next_field(body, last));
  const auto event = last ? std::nullopt : number(next_field(body, last));
  const auto time = last ? std::nullopt : number(next_field(body, last));
  const auto kind = last ? std::string_view() : next_field(body, last);
  if (last || !is_node_id(node) || !seq || *seq == 0 || !event || !time || kind.size() != 1 ||
      !is_kind(kind[0])) {
    return {std::nullopt, FrameFault::malformed};
  }
  frame.node = std::string(node);
  frame.seq = *seq;
  frame.event = *event;
  frame.time = *time;
  frame.kind = static_cast<BusFrame::Kind>(kind[0]);
  frame.text = std::string(body);
  return {std::move(frame), FrameFault::none};
}

namespace {

bool is_name(const FrameRules& rules, std::string_view name) {
  return rules.is_name && rules.is_name(name);
}

// FIRST <TAB> LAST (<TAB> ID <TAB> NAME)...: ids within [FIRST, LAST], rising.
Checked check_roll(std::string_view text, const FrameRules& rules) {
  const auto fail = [](FrameFault fault) { return Checked{std::nullopt, fault}; };
  bool last = false;
  const auto first = number(next_field(text, last));
  const auto end = last ? std::nullopt : number(next_field(text, last));
  if (!first || !end || *first > *end) return fail(FrameFault::malformed);
  BusEvent::Roll roll{*first, *end, {}};
  std::uint64_t previous = *first > 0 ? *first - 1 : 0;
  bool any = false;
  while (!last) {
    const auto id = number(next_field(text, last));
    if (last || !id) return fail(FrameFault::malformed);
    const auto name = next_field(text, last);
    if (*id == 0 || *id < *first || *id > *end || (any && *id <= previous)) {
      return fail(FrameFault::bad_list);
    }
    if (!is_name(rules, name)) return fail(FrameFault::bad_name);
    roll.members.push_back(BusMember{*id, std::string(name)});
    previous = *id;
    any = true;
  }
  return {BusEvent{std::move(roll)}, FrameFault::none};
}

}  // namespace

Checked check(const BusFrame& frame, const FrameRules& rules) {
  const auto fail = [](FrameFault fault) { return Checked{std::nullopt, fault}; };
  std::string_view text = frame.text;
  bool last = false;
  switch (frame.kind) {
    case BusFrame::Kind::message: {
      const auto id = number(next_field(text, last));
      if (last || !id || *id == 0) return fail(FrameFault::malformed);
      // The rest is the line, tabs and all.
      if (text.size() > rules.max_line || text.find('\n') != std::string_view::npos) {
        return fail(FrameFault::bad_text);
      }
      return {BusEvent{BusEvent::Said{*id, std::string(text)}}, FrameFault::none};
    }
    case BusFrame::Kind::arrived: {
      const auto id = number(next_field(text, last));
      if (last || !id || *id == 0) return fail(FrameFault::malformed);
      if (!is_name(rules, text)) return fail(FrameFault::bad_name);
      return {BusEvent{BusEvent::Arrived{BusMember{*id, std::string(text)}}}, FrameFault::none};
    }
    case BusFrame::Kind::left: {
      const auto id = number(text);
      if (!id || *id == 0) return fail(FrameFault::malformed);
      return {BusEvent{BusEvent::Left{*id}}, FrameFault::none};
    }
    case BusFrame::Kind::heartbeat:
      return check_roll(text, rules);
    case BusFrame::Kind::evicted:
      if (!is_node_id(text)) return fail(FrameFault::malformed);
      return {BusEvent{BusEvent::Evicted{std::string(text)}}, FrameFault::none};
  }
  return fail(FrameFault::malformed);
}

std::string said_text(std::uint64_t id, std::string_view text) {
  return std::to_string(id) + '\t' + std::string(text);
}

std::string arrived_text(const BusMember& member) {
  return std::to_string(member.id) + '\t' + member.name;
}

std::string left_text(std::uint64_t id) { return std::to_string(id); }

std::vector<std::string> roll_texts(const std::vector<BusMember>& members, std::size_t max_bytes) {
  std::vector<std::string> texts;
  std::string part;
  std::uint64_t first = 0;
  // Each part's range runs from where the last one ended to its own last id; the last to 2^64-1.
  const auto close = [&](std::uint64_t end) {
    texts.push_back(numbers_text({first, end}) + part);
    part.clear();
    first = end == kLastId ? end : end + 1;
  };
  // Room for the range's two numbers at the front of each part.
  constexpr std::size_t kRange = 2 * 20 + 2;
  std::uint64_t previous = 0;
  for (const BusMember& member : members) {
    const std::string entry = '\t' + std::to_string(member.id) + '\t' + member.name;
    if (!part.empty() && kRange + part.size() + entry.size() > max_bytes) close(previous);
    part += entry;
    previous = member.id;
  }
  close(kLastId);
  return texts;
}

SequenceCheck NodeSequence::take(const BusFrame& frame) {
  SequenceCheck check;
  const bool is_event = frame.kind != BusFrame::Kind::heartbeat;
  if (last_seq_ && (frame.seq <= *last_seq_ || frame.event < last_event_ ||
                    (is_event && frame.event == last_event_) || frame.seq - *last_seq_ > kMaxLeap ||
                    frame.event - last_event_ > kMaxLeap)) {
    check.stale = true;
    return check;
  }
  if (last_seq_) check.missed = frame.event - last_event_ - (is_event ? 1 : 0);
  last_seq_ = frame.seq;
  last_event_ = frame.event;
  return check;
}

}  // namespace gonet
