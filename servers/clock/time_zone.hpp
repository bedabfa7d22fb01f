#pragma once

#include <string>
#include <string_view>

namespace gonet {

// Whether `zone` names an IANA time zone this machine has ("Asia/Tokyo", "UTC").
bool is_known_time_zone(std::string_view zone);

// Whether glibc can use `tz` as the value of $TZ: a zone it has, with or without the leading
// ':' ("Asia/Tokyo", ":Asia/Tokyo"), or a POSIX rule ("JST-9", "EST5EDT", "<+0330>-3:30").
bool is_usable_tz_variable(std::string_view tz);

// Makes `zone` the zone every local time of this process is shown in, as TZ=zone would. An empty
// zone keeps $TZ or the system zone; but an unknown $TZ, which glibc would silently read as UTC
// under the zone's own name, is made plain UTC, with one warning. Call it after init_logging and
// before any thread starts.
void use_time_zone(const std::string& zone);

}  // namespace gonet
