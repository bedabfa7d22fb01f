// PROXY protocol headers as HAProxy's send-proxy-v2 writes them, for tests to send or parse.
// Written from the protocol's description, not with the code under test.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace testsupport {

inline const std::string kProxyV2Signature("\r\n\r\n\0\r\nQUIT\n", 12);

// Version and command (0x21 PROXY, 0x20 LOCAL), family and protocol (0x11 TCP4, 0x21 TCP6, ...),
// then `body`: the addresses and any TLVs.
inline std::string proxy_v2(unsigned char version_command, unsigned char family,
                            const std::string& body) {
  return kProxyV2Signature + static_cast<char>(version_command) + static_cast<char>(family) +
         static_cast<char>(body.size() >> 8) + static_cast<char>(body.size() & 0xff) + body;
}

// The address block of a TCP4 or TCP6 header: source, destination, their ports.
inline std::string proxy_v2_addresses(const std::string& source, const std::string& destination,
                                      std::uint16_t source_port, std::uint16_t destination_port) {
  const bool v6 = source.find(':') != std::string::npos;
  const std::size_t size = v6 ? 16 : 4;
  std::string block(2 * size, '\0');
  if (::inet_pton(v6 ? AF_INET6 : AF_INET, source.c_str(), block.data()) != 1 ||
      ::inet_pton(v6 ? AF_INET6 : AF_INET, destination.c_str(), block.data() + size) != 1) {
    throw std::invalid_argument("not an address: " + source + " or " + destination);
  }
  for (const std::uint16_t port : {source_port, destination_port}) {
    block += static_cast<char>(port >> 8);
    block += static_cast<char>(port & 0xff);
  }
  return block;
}

}  // namespace testsupport
