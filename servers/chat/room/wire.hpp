#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace gonet::wire {

// What the chat server sends, each a whole line, "\n" included. With no flags, the book's bytes:
// its fmt.Fprintln(conn, msg) of "You are " + who, who + " has arrived", who + ": " + text and
// who + " has left".
std::string you_are(std::string_view name);
std::string has_arrived(std::string_view name);
std::string says(std::string_view name, std::string_view text);
// The same, with the text made safe for a terminal (append_terminal_safe): the default.
std::string says_safely(std::string_view name, std::string_view text);
std::string has_left(std::string_view name);

// With -names (exercises 8.12 and 8.14).
inline constexpr std::string_view kEnterYourName = "Enter your name:\n";
inline constexpr std::string_view kNameTaken = "name taken, try another:\n";
inline constexpr std::string_view kNameEmpty = "name must not be empty:\n";
inline constexpr std::string_view kNameNotAllowed =
    "name not allowed: use 1 to 32 letters, digits, '-', '_' or '.':\n";
// "Present: A, B\n", the others in the order they arrived, and when only the first of them are
// named, how many more: "Present: A, B, and 2900 more\n"; "Present: nobody\n" when alone.
std::string present(std::span<const std::string_view> names, std::size_t more = 0);

// A room across servers (-redis): Redis is away, and back.
inline constexpr std::string_view kCutOff =
    "(cut off from the other servers: only this server's clients hear you)\n";
inline constexpr std::string_view kServersBack = "(the other servers are back)\n";

}  // namespace gonet::wire
