#pragma once

#include "servers/chat/bus/bus_options.hpp"
#include "servers/chat/chat_options.hpp"

namespace gonet {

// The bus's options from -redis and its flags, with the secrets read: the room's keys
// (-room-key-file), the password (-redis-password-file, else $GONET_REDIS_PASSWORD, else the
// URL's, with a warning that ps shows it), the TLS configuration for rediss:// and any shorter
// timings of $GONET_CHAT_BUS_TIMINGS. Throws Failure, one line: "read -redis-password-file pw: no
// such file or directory".
BusOptions load_bus_options(const ChatOptions& options);

}  // namespace gonet
