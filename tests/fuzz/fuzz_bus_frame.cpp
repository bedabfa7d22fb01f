// The bus frames of a room across servers (servers/chat/bus_frame) on any bytes Redis may hand a
// node: decoding never reads past them, a frame decoded and encoded again decodes to itself, and
// the members of any text survive their own round trip.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "servers/chat/bus_frame.hpp"

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_bus_frame: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  if (const auto frame = gonet::decode(input)) {
    check(gonet::decode(gonet::encode(*frame)) == frame, "a decoded frame does not round-trip");
    check(!frame->node.empty() && frame->node.find('\t') == std::string::npos, "a bad node");
  }
  for (const auto& member : gonet::decode_members(input)) {
    check(gonet::decode_member(gonet::encode(member)) == member, "a member does not round-trip");
  }
  return 0;
}
