#include "common/net/gathered_send.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace gonet {

std::size_t send_gathered(asio::ip::tcp::socket& socket,
                          std::span<const asio::const_buffer> buffers, std::error_code& ec) {
  std::array<iovec, kMaxGatheredBuffers> vectors;
  const std::size_t count = std::min(buffers.size(), vectors.size());
  for (std::size_t i = 0; i < count; ++i) {
    vectors[i] = iovec{const_cast<void*>(buffers[i].data()), buffers[i].size()};
  }
  msghdr message{};
  message.msg_iov = vectors.data();
  message.msg_iovlen = count;
  for (;;) {
    const ssize_t sent = ::sendmsg(socket.native_handle(), &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent >= 0) {
      ec.clear();
      return static_cast<std::size_t>(sent);
    }
    if (errno == EINTR) continue;
    ec = std::error_code(errno, asio::error::get_system_category());  // EAGAIN is would_block
    return 0;
  }
}

}  // namespace gonet
