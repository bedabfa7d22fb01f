// bytes moves bulk data for the netcat benchmarks, as fast as the kernel allows, so that the
// tool measured is the only slow part:
//   bytes serve -bytes N [-port P]   each client gets N zero bytes, then the server closes
//   bytes sink [-port P]             reads each client to EOF, prints its byte count and the
//                                    time it ended (seconds since the epoch), closes
//   bytes source -bytes N            writes N zero bytes to stdout
//   bytes count                      reads stdin to EOF and prints its byte count
// The servers print "listening on 127.0.0.1:PORT" on stderr and serve one client at a time
// until killed. Writes are 1 MiB at a time; reads are spliced into /dev/null, never copied.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "common/cli/command_line.hpp"
#include "common/cli/values.hpp"

namespace {

constexpr std::size_t kChunk = 1 << 20;

struct Options {
  std::string mode;
  unsigned long long bytes = 0;
  unsigned port = 0;
};

Options parse(const gonet::Program& program, const std::vector<std::string>& args) {
  auto options = gonet::command_line(program, "serve|sink|source|count");
  options.add_options()("bytes", "how many bytes to send",
                        cxxopts::value<std::string>()->default_value("0"), "N")(
      "port", "port to listen on; 0 picks one", cxxopts::value<std::string>()->default_value("0"),
      "P")("mode", "", cxxopts::value<std::string>());
  options.parse_positional({"mode"});
  const auto result = gonet::parse(options, program, args);
  Options parsed;
  if (result.count("mode") == 0) throw gonet::UsageError("want serve, sink, source or count");
  parsed.mode = result["mode"].as<std::string>();
  parsed.bytes = gonet::parse_count<unsigned long long>("bytes", result["bytes"].as<std::string>(),
                                                        0, 1ULL << 40);
  parsed.port = gonet::parse_count<unsigned>("port", result["port"].as<std::string>(), 0, 65535);
  return parsed;
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "bytes: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

bool is_pipe(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

// Gives `bytes` zeros to the pipe `fd` by reference (vmsplice), never copied: the pages never
// change, and a source that copies would be the slow part of every transfer measured.
void give_zeros(int fd, unsigned long long bytes) {
  // Page-aligned, so that kChunk bytes are kChunk / 4096 pages and fill a pipe of kChunk exactly.
  alignas(4096) static char zeros[kChunk];
  while (bytes > 0) {
    const std::size_t n = bytes < kChunk ? static_cast<std::size_t>(bytes) : kChunk;
    iovec part{zeros, n};
    const ssize_t given = ::vmsplice(fd, &part, 1, 0);
    if (given < 0 && errno == EINTR) continue;
    if (given <= 0) die("vmsplice");
    bytes -= static_cast<unsigned long long>(given);
  }
}

// Writes `bytes` zeros to fd, a pipe or a socket; to a socket through a pipe of our own and
// splice(), so that no byte is copied on the way in.
void send_zeros(int fd, unsigned long long bytes) {
  if (is_pipe(fd)) return give_zeros(fd, bytes);
  int through[2];
  if (::pipe2(through, O_CLOEXEC) != 0) die("pipe");
  ::fcntl(through[1], F_SETPIPE_SZ, static_cast<int>(kChunk));
  while (bytes > 0) {
    const std::size_t n = bytes < kChunk ? static_cast<std::size_t>(bytes) : kChunk;
    give_zeros(through[1], n);
    for (std::size_t left = n; left > 0;) {
      const ssize_t moved = ::splice(through[0], nullptr, fd, nullptr, left, SPLICE_F_MOVE);
      if (moved < 0 && errno == EINTR) continue;
      if (moved <= 0) die("splice");
      left -= static_cast<std::size_t>(moved);
    }
    bytes -= n;
  }
  ::close(through[0]);
  ::close(through[1]);
}

// Moves everything from `from` into /dev/null without copying it to user space: straight from a
// pipe, through a pipe of our own from a socket. Returns the byte count.
unsigned long long drain(int from) {
  const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  int through[2] = {from, -1};
  if (is_pipe(from)) {
    ::fcntl(from, F_SETPIPE_SZ, static_cast<int>(kChunk));
  } else {
    if (::pipe2(through, O_CLOEXEC) != 0) die("pipe");
    ::fcntl(through[1], F_SETPIPE_SZ, static_cast<int>(kChunk));
  }
  unsigned long long total = 0;
  for (;;) {
    ssize_t n = 0;
    if (through[1] < 0) {
      n = ::splice(from, nullptr, null, nullptr, kChunk, SPLICE_F_MOVE);
    } else {
      n = ::splice(from, nullptr, through[1], nullptr, kChunk, SPLICE_F_MOVE);
      for (ssize_t left = n; left > 0;) {
        const ssize_t moved = ::splice(through[0], nullptr, null, nullptr,
                                       static_cast<std::size_t>(left), SPLICE_F_MOVE);
        if (moved < 0 && errno == EINTR) continue;
        if (moved <= 0) die("splice");
        left -= moved;
      }
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("splice");
    if (n == 0) break;
    total += static_cast<unsigned long long>(n);
  }
  if (through[1] >= 0) {
    ::close(through[0]);
    ::close(through[1]);
  }
  ::close(null);
  return total;
}

int listen_on(unsigned port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("bind");
  if (::listen(fd, 16) != 0) die("listen");
  socklen_t size = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size);
  std::fprintf(stderr, "bytes: listening on 127.0.0.1:%u\n", ntohs(addr.sin_port));
  return fd;
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"bytes", "Bulk data for the netcat benchmarks."};
  const Options options = gonet::parse_or_exit(program, argc, argv, parse);
  if (options.mode == "source") {
    if (is_pipe(STDOUT_FILENO)) ::fcntl(STDOUT_FILENO, F_SETPIPE_SZ, static_cast<int>(kChunk));
    send_zeros(STDOUT_FILENO, options.bytes);
    return 0;
  }
  if (options.mode == "count") {
    std::printf("%llu\n", drain(STDIN_FILENO));
    return 0;
  }
  if (options.mode != "serve" && options.mode != "sink") {
    gonet::exit_with_usage_error(program, gonet::UsageError("unknown mode " + options.mode));
  }
  const int listener = listen_on(options.port);
  for (;;) {
    const int client = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0 && errno == EINTR) continue;
    if (client < 0) die("accept");
    if (options.mode == "serve") {
      send_zeros(client, options.bytes);
    } else {
      const unsigned long long got = drain(client);
      timespec ended{};
      ::clock_gettime(CLOCK_REALTIME, &ended);
      std::printf("%llu %lld.%09ld\n", got, static_cast<long long>(ended.tv_sec), ended.tv_nsec);
      std::fflush(stdout);
    }
    ::close(client);
  }
}
