// The frames of a room across servers (servers/chat/bus_frame) on any bytes Redis may hand a node.
// The input is tried twice: as a whole frame as it came (almost never signed), and as the body of
// a frame signed with a fixed key as a node signs it, so that every check behind the signature is
// reached. Unsealing never reads past the bytes; a frame that unseals seals again to the same
// bytes; and what the check lets through keeps the promises the room relies on.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "servers/chat/bus/bus_frame.hpp"
#include "servers/chat/bus/room_keys.hpp"
#include "servers/chat/room/names.hpp"

namespace {

constexpr std::string_view kChannel = "gonet:chat:chat";
constexpr std::size_t kMaxLine = 64;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_bus_frame: %s\n", what);
    std::abort();
  }
}

std::string hex(const gonet::RoomKeys::Mac& mac) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (const std::uint8_t byte : mac) {
    text.push_back(kDigits[byte >> 4]);
    text.push_back(kDigits[byte & 0xF]);
  }
  return text;
}

void check_event(const gonet::BusEvent& event) {
  using gonet::BusEvent;
  if (const auto* said = std::get_if<BusEvent::Said>(&event.what)) {
    check(said->id > 0, "a line of member 0");
    check(said->text.size() <= kMaxLine, "a line over max_line");
    check(said->text.find('\n') == std::string::npos, "a line of two lines");
  } else if (const auto* arrived = std::get_if<BusEvent::Arrived>(&event.what)) {
    check(gonet::is_member_name(arrived->member.name), "an arrival of a bad name");
  } else if (const auto* roll = std::get_if<BusEvent::Roll>(&event.what)) {
    check(roll->first <= roll->last, "a heartbeat's range backwards");
    std::uint64_t previous = 0;
    for (const auto& member : roll->members) {
      check(member.id >= roll->first && member.id <= roll->last, "a member out of range");
      check(member.id > previous, "members out of order");
      check(gonet::is_member_name(member.name), "a listed bad name");
      previous = member.id;
    }
  } else if (const auto* evicted = std::get_if<BusEvent::Evicted>(&event.what)) {
    check(gonet::is_node_id(evicted->node), "an eviction of a bad node id");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const gonet::RoomKeys keys({std::string(32, 'k')});
  static const gonet::FrameRules rules{kMaxLine, gonet::is_member_name};
  const std::string input(reinterpret_cast<const char*>(data), size);
  (void)gonet::unseal(input, keys, kChannel);

  const std::string sealed =
      "g2\t" + hex(keys.sign({"g2", "\t", kChannel, "\t", input})) + "\t" + input;
  const auto unsealed = gonet::unseal(sealed, keys, kChannel);
  check(unsealed.frame.has_value() == (unsealed.fault == gonet::FrameFault::none), "a fault");
  if (!unsealed.frame) return 0;
  const gonet::BusFrame& frame = *unsealed.frame;
  check(gonet::seal(frame, keys, kChannel) == sealed, "a frame does not seal to its own bytes");
  check(gonet::is_node_id(frame.node) && frame.seq > 0, "a bad node id or number");
  const auto checked = gonet::check(frame, rules);
  check(checked.event.has_value() == (checked.fault == gonet::FrameFault::none), "a check fault");
  if (checked.event) check_event(*checked.event);
  return 0;
}
