// What the chat tests share: talking to chat as its clients do, over our TCP client.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/programs.hpp"

namespace e2e {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// The name chat gives a client: its address as the server sees it, as Go prints it.
inline std::string name_of(const TcpClient& client) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  ::getsockname(client.fd(), reinterpret_cast<sockaddr*>(&address), &length);
  char host[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(v6.sin6_port));
  }
  const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
  ::inet_ntop(AF_INET, &v4.sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(ntohs(v4.sin_port));
}

inline void expect_nothing_more(TcpClient& client, milliseconds quiet, const std::string& who) {
  std::this_thread::sleep_for(quiet);
  EXPECT_EQ(client.read_available(), "") << who << " got more than it should";
}

// A client that has joined: connected, and told who it is.
struct Member {
  TcpClient tcp;
  std::string name;
};

// A loopback address of its own for each member (all of 127/8 is this machine's), as the people
// in a room come from hosts of their own: chat's -rate belongs to an address.
inline std::string next_member_source() {
  static std::atomic<unsigned> members{0};
  const unsigned n = members++ % 60000;
  return "127.1." + std::to_string(n / 250) + "." + std::to_string(n % 250 + 1);
}

inline Member join(std::uint16_t port, std::string host = "127.0.0.1", int rcvbuf = 0) {
  auto tcp = host == "127.0.0.1" && rcvbuf == 0
                 ? TcpClient::connect_from(next_member_source(), port, host)
                 : TcpClient::connect(port, host, rcvbuf);
  std::string name = name_of(tcp);
  EXPECT_EQ(tcp.read_line(2s), "You are " + name);
  return Member{std::move(tcp), std::move(name)};
}

// `count` members at once: all connect, then each reads its greeting, so that the server
// announces them in a few rounds rather than one round each (a crowd of 1,000 joining one by
// one costs it half a million sends).
inline std::vector<Member> join_all(std::uint16_t port, int count) {
  std::vector<TcpClient> connected;
  for (int i = 0; i < count; ++i) {
    connected.push_back(TcpClient::connect_from(next_member_source(), port, "127.0.0.1"));
  }
  std::vector<Member> members;
  for (auto& tcp : connected) {
    std::string name = name_of(tcp);
    EXPECT_EQ(tcp.read_line(5s), "You are " + name);
    members.push_back(Member{std::move(tcp), std::move(name)});
  }
  return members;
}

// Lines until `last` (a whole line, included) or until `timeout` has passed; nothing after `last`
// is read.
inline std::vector<std::string> read_until_line(TcpClient& client, const std::string& last,
                                                milliseconds timeout) {
  const auto deadline = steady_clock::now() + timeout;
  std::vector<std::string> lines;
  while (!client.eof()) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - steady_clock::now());
    if (left <= 0ms) break;
    auto line = client.read_line(left);
    if (!line) break;
    lines.push_back(std::move(*line));
    if (lines.back() == last) break;
  }
  return lines;
}

// Whether `line` comes within `timeout`; the lines before it are read and dropped.
inline bool heard(TcpClient& client, const std::string& line, milliseconds timeout) {
  const auto lines = read_until_line(client, line, timeout);
  return !lines.empty() && lines.back() == line;
}

}  // namespace e2e
