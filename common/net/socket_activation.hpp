#pragma once

#include <sys/types.h>

#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

namespace gonet {

// systemd's socket activation (sd_listen_fds(3)), by its documented protocol rather than through
// libsystemd: the listening socket a .socket unit (or systemd-socket-activate) opened and passed as
// descriptor 3, with LISTEN_PID naming this process and LISTEN_FDS counting the descriptors.
//
// Returns one acceptor per event loop on that socket, each on its own dup() of it so that every
// loop accepts on it; none when no socket was passed (LISTEN_PID unset or naming another process).
// Unsets LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES either way, as sd_listen_fds(1) does, so that no
// child takes them for its own, and marks the passed descriptors close-on-exec.
// Throws Failure("socket from systemd: ...") when the variables are malformed, when more than one
// socket was passed (a server serves one), or when it is not a listening TCP socket.
std::vector<asio::ip::tcp::acceptor> acceptors_from_systemd(std::deque<asio::io_context>& loops);

// How many descriptors LISTEN_PID and LISTEN_FDS (their values; nullopt when unset) pass to the
// process `self`: 0 when LISTEN_PID is unset or names another process. Throws Failure when either
// is not a decimal number, or LISTEN_FDS is not positive.
int count_passed_sockets(const std::optional<std::string>& listen_pid,
                         const std::optional<std::string>& listen_fds, pid_t self);

// Why `fd` is not a listening TCP socket ("fd 3 is a UDP socket, not a listening TCP socket"), or
// nullopt when it is one.
std::optional<std::string> not_a_listening_tcp_socket(int fd);

}  // namespace gonet
