#include "servers/chat/wire.hpp"

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
std::string has_left(std::string_view name) { return line({name, " has left"}); }

std::string present(std::span<const std::string_view> others) {
  if (others.empty()) return "Present: nobody\n";
  std::string text = "Present: ";
  for (std::size_t i = 0; i < others.size(); ++i) {
    if (i > 0) text += ", ";
    text += others[i];
  }
  text.push_back('\n');
  return text;
}

std::string skipped(std::size_t count) {
  return line({"(", std::to_string(count), " messages skipped)"});
}

}  // namespace gonet::wire
