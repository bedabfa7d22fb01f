#pragma once

#include <chrono>
#include <string_view>

namespace gonet {

// How a node keeps time on the bus. The defaults make the chat server's promises (a dead node's
// clients gone within 10 s, Redis away noticed within 5 s, back within 5 s); shorter ones keep
// them, and let a test watch a cluster move in a fraction of the time.
struct BusTimings {
  std::chrono::milliseconds beat{1000};
  // Our own heartbeat not back within this long (or a connection not made and logged in): Redis
  // is away.
  std::chrono::milliseconds silent_after{3000};
  // A node whose frames stop this long is dead: with the check each beat, its clients are
  // announced gone within 10 s of its end.
  std::chrono::milliseconds dead_after{8000};
  // Back in the room after Redis was away, a node has heard nothing of the others meanwhile.
  // Every node retries within last_retry of Redis's return and heartbeats as it subscribes, so a
  // node alive is heard within about a second; one not heard within this long died meanwhile, and
  // its clients are announced gone within 5 s of Redis's return.
  std::chrono::milliseconds rejoin_grace{2500};
  // A link down is tried again after first_retry, then twice as long each time, up to last_retry.
  std::chrono::milliseconds first_retry{250};
  std::chrono::milliseconds last_retry{1000};
};

// Shorter timings from $GONET_CHAT_BUS_TIMINGS's text, "beat=200ms,dead_after=1.6s": any of the
// fields by name, each a duration from 10ms (shorter would spin) to its default (longer would
// break the promises, and let claimed names expire between refreshes); together, as the defaults
// are, silent_after and dead_after at least twice beat, first_retry no longer than last_retry,
// rejoin_grace longer than beat and last_retry. The rest keep their defaults. Throws Failure, one
// line, naming what is wrong.
BusTimings parse_bus_timings(std::string_view text);

}  // namespace gonet
