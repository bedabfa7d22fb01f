#include "servers/chat/names.hpp"

#include "common/net/connection.hpp"
#include "common/text/utf8.hpp"

namespace gonet {
namespace {

// Unicode's White_Space, as Go's unicode.IsSpace.
bool is_space(char32_t rune) {
  switch (rune) {
    case U'\t':
    case U'\n':
    case U'\v':
    case U'\f':
    case U'\r':
    case U' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return rune >= 0x2000 && rune <= 0x200A;
  }
}

// The width of the white space rune that ends `text`, or 0.
std::size_t space_at_end(std::string_view text) {
  // The rune starts at the last byte that is not a continuation byte, at most 4 from the end.
  std::size_t start = text.size();
  while (start > 0 && text.size() - start < 4) {
    --start;
    if ((static_cast<unsigned char>(text[start]) & 0xC0) != 0x80) break;
  }
  if (start == text.size()) return 0;
  const auto rune = utf8::decode(text, start);
  const std::size_t width = text.size() - start;
  return rune.valid && rune.width == width && is_space(rune.value) ? width : 0;
}

}  // namespace

std::string name_of(const asio::ip::tcp::endpoint& peer) {
  const auto address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    const auto v4 = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    return to_string(asio::ip::tcp::endpoint(v4, peer.port()));
  }
  return to_string(peer);
}

std::string trim_name(std::string_view line) {
  while (!line.empty()) {
    const auto rune = utf8::decode(line, 0);
    if (!rune.valid || !is_space(rune.value)) break;
    line.remove_prefix(rune.width);
  }
  while (const std::size_t width = space_at_end(line)) line.remove_suffix(width);
  return std::string(line);
}

}  // namespace gonet
