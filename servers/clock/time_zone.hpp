#pragma once

#include <string>
#include <string_view>

namespace gonet {

// Whether `zone` names an IANA time zone this machine has ("Asia/Tokyo", "UTC").
bool is_known_time_zone(std::string_view zone);

// Makes `zone` the zone every local time of this process is shown in, as TZ=zone would.
// Call it before any thread starts; an empty zone keeps $TZ or the system zone.
void use_time_zone(const std::string& zone);

}  // namespace gonet
