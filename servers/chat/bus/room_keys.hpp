#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gonet {

// The secret keys of a room on Redis (-room-key-file): a frame is signed with the first, and
// taken if signed by either, so a key can be changed without downtime (add the new one second
// on every node, then first, then remove the old one). HMAC-SHA256, from OpenSSL.
class RoomKeys {
 public:
  static constexpr std::size_t kMinKeyLength = 32;
  using Mac = std::array<std::uint8_t, 32>;

  // One or two keys, each at least kMinKeyLength bytes; throws std::invalid_argument otherwise.
  explicit RoomKeys(const std::vector<std::string>& keys);

  // The MAC of `parts`, one after another, with the first key.
  Mac sign(std::initializer_list<std::string_view> parts) const;
  // Whether `mac` is that of `parts` by either key (compared in constant time).
  bool verify(std::initializer_list<std::string_view> parts, const Mac& mac) const;

 private:
  struct Keyed;  // OpenSSL's HMAC, set up once with each key
  std::shared_ptr<const Keyed> keyed_;
};

// Reads -room-key-file: one or two keys, one a line (an empty last line aside). Throws Failure
// with what is wrong: "read -room-key-file room.key: no such file or directory", "-room-key-file
// room.key: the key on line 1 is 12 bytes; want at least 32 (make one with: head -c 32
// /dev/urandom | base64 > room.key)". Warns, once, when others may read the file.
RoomKeys load_room_keys(const std::string& path);

}  // namespace gonet
