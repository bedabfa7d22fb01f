// framecost measures what the bus's frames cost a node's CPU alone, nothing of the network in it:
// per frame, sealing (HMAC-SHA256 by the room's key) on the sender's side, and unsealing (the
// HMAC again, by each of the room's keys) and checking on every node's, for a chat line of
// -bytes, and for a heartbeat part listing -members clients. One JSON line on stdout.
//   framecost -n 200000 -bytes 60 -members 1000
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "common/cli/command_line.hpp"
#include "common/cli/values.hpp"
#include "servers/chat/bus/bus_frame.hpp"
#include "servers/chat/room/names.hpp"

namespace {

struct Options {
  unsigned count = 200'000;
  unsigned bytes = 60;
  unsigned members = 1000;
};

Options parse(const gonet::Program& program, const std::vector<std::string>& args) {
  auto options = gonet::command_line(program);
  options.add_options()("n", "frames of each kind",
                        cxxopts::value<std::string>()->default_value("200000"), "N")(
      "bytes", "a chat line's length", cxxopts::value<std::string>()->default_value("60"), "N")(
      "members", "clients a heartbeat lists", cxxopts::value<std::string>()->default_value("1000"),
      "N");
  const auto result = gonet::parse(options, program, args);
  return Options{
      gonet::parse_count<unsigned>("n", result["n"].as<std::string>(), 1, 100'000'000),
      gonet::parse_count<unsigned>("bytes", result["bytes"].as<std::string>(), 0, 65536),
      gonet::parse_count<unsigned>("members", result["members"].as<std::string>(), 0, 30'000)};
}

using Clock = std::chrono::steady_clock;

double micros_per(Clock::duration spent, unsigned count) {
  return std::chrono::duration<double, std::micro>(spent).count() / count;
}

// Microseconds per frame to seal `frame` (the sender) and to unseal and check it (a receiver).
std::pair<double, double> cost(const gonet::BusFrame& frame, const gonet::RoomKeys& keys,
                               const gonet::FrameRules& rules, unsigned count) {
  constexpr std::string_view kChannel = "gonet:chat:chat";
  std::string sealed;
  auto start = Clock::now();
  for (unsigned i = 0; i < count; ++i) sealed = gonet::seal(frame, keys, kChannel);
  const auto sealing = Clock::now() - start;
  std::size_t checked = 0;
  start = Clock::now();
  for (unsigned i = 0; i < count; ++i) {
    const auto unsealed = gonet::unseal(sealed, keys, kChannel);
    checked += unsealed.frame && gonet::check(*unsealed.frame, rules).event ? 1 : 0;
  }
  const auto opening = Clock::now() - start;
  if (checked != count) {
    std::fprintf(stderr, "framecost: a frame did not check\n");
    std::exit(1);
  }
  return {micros_per(sealing, count), micros_per(opening, count)};
}

}  // namespace

int main(int argc, char* argv[]) {
  const gonet::Program program{"framecost", "What a bus frame costs a node's CPU."};
  const auto options = gonet::parse_or_exit(program, argc, argv, parse);
  // Two keys, as in a rotation: a receiver tries both.
  const gonet::RoomKeys keys({std::string(44, 'k'), std::string(44, 'o')});
  const gonet::FrameRules rules{65536, gonet::is_member_name};
  const gonet::BusFrame line{"0123456789abcdef",
                             1,
                             1,
                             1'700'000'000'000,
                             gonet::BusFrame::Kind::message,
                             gonet::said_text(7, std::string(options.bytes, 'x'))};
  std::vector<gonet::BusMember> members;
  for (unsigned id = 1; id <= options.members; ++id) {
    members.push_back(gonet::BusMember{id, "127.0.0.1:" + std::to_string(10000 + id)});
  }
  const gonet::BusFrame heartbeat{"0123456789abcdef",
                                  2,
                                  1,
                                  1'700'000'000'000,
                                  gonet::BusFrame::Kind::heartbeat,
                                  gonet::roll_texts(members, gonet::kMaxFrameBytes - 512).front()};
  const auto [line_seal, line_open] = cost(line, keys, rules, options.count);
  const unsigned beats = std::max(1u, options.count / std::max(1u, options.members / 10));
  const auto [beat_seal, beat_open] = cost(heartbeat, keys, rules, beats);
  std::printf(
      "{\"row\":\"bus frame cost\",\"line_bytes\":%u,\"line_seal_us\":%.3f,"
      "\"line_unseal_check_us\":%.3f,\"heartbeat_members\":%u,\"heartbeat_bytes\":%zu,"
      "\"heartbeat_seal_us\":%.2f,\"heartbeat_unseal_check_us\":%.2f}\n",
      options.bytes, line_seal, line_open, options.members, heartbeat.text.size(), beat_seal,
      beat_open);
}
