// The programs the flag tests parse for: a server with -threads, one without, the clients.
#pragma once

#include "common/cli/program.hpp"

namespace gonet::test {

inline const Program kClock2{"clock2", "test", true};
inline const Program kClock1{"clock1", "test", false};
inline const Program kReverb1{"reverb1", "test", false};
inline const Program kNetcat1{"netcat1", "test"};
inline const Program kClockwall{"clockwall", "test"};

}  // namespace gonet::test
