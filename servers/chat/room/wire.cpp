#include "servers/chat/room/wire.hpp"

#include "common/text/terminal_safe.hpp"

namespace gonet::wire {
namespace {

std::string line(std::initializer_list<std::string_view> parts) {
  std::size_t size = 1;
  for (const auto part : parts) size += part.size();
  std::string text;
  text.reserve(size);
  for (const auto part : parts) text.append(part);
  text.push_back('\n');
  return text;
}

}  // namespace

std::string you_are(std::string_view name) { return line({"You are ", name}); }
std::string has_arrived(std::string_view name) { return line({name, " has arrived"}); }
std::string says(std::string_view name, std::string_view text) { return line({name, ": ", text}); }
std::string says_safely(std::string_view name, std::string_view text) {
  std::string line;
  line.reserve(name.size() + text.size() + 3);
  line.append(name).append(": ");
  append_terminal_safe(text, line);
  line.push_back('\n');
  return line;
}

std::string has_left(std::string_view name) { return line({name, " has left"}); }

std::string present(std::span<const std::string_view> names, std::size_t more) {
  if (names.empty() && more == 0) return "Present: nobody\n";
  std::string text = "Present: ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += ", ";
    text += names[i];
  }
  if (more > 0) text += ", and " + std::to_string(more) + " more";
  text.push_back('\n');
  return text;
}

}  // namespace gonet::wire
