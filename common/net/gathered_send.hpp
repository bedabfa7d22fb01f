#pragma once

#include <span>
#include <system_error>

#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>

namespace gonet {

// The most buffers one gathered send takes: Linux's IOV_MAX. (Asio's own writes pass at most 64
// to a system call.)
inline constexpr std::size_t kMaxGatheredBuffers = 1024;

// Sends as much of `buffers` (at most kMaxGatheredBuffers) as the socket takes at once, in one
// sendmsg() that never waits: what is waiting for a client leaves in one system call, however
// many lines it is. Returns the bytes sent; would_block when the socket takes nothing now.
std::size_t send_gathered(asio::ip::tcp::socket& socket,
                          std::span<const asio::const_buffer> buffers, std::error_code& ec);

}  // namespace gonet
