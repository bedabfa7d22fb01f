#pragma once

#include <string>
#include <string_view>

namespace gonet {

// Go's strings.ToUpper / strings.ToLower: each invalid UTF-8 byte becomes U+FFFD.
// Clients send whatever bytes they like; a server must answer as the Go original would,
// byte for byte, so the mapping follows Go rather than the process locale.
std::string to_upper(std::string_view text);
std::string to_lower(std::string_view text);

// The same, appended to `out`: an echo builds its line in one allocation.
void append_upper(std::string_view text, std::string& out);
void append_lower(std::string_view text, std::string& out);

}  // namespace gonet
