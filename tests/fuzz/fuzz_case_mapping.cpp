// to_upper / to_lower on arbitrary bytes: valid UTF-8 out, one code point out for each code
// point (or invalid byte) in, ASCII mapped as ASCII, invalid bytes as U+FFFD, and mapping twice
// the same as mapping once.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/text/case_mapping.hpp"
#include "tests/fuzz/utf8_reference.hpp"

namespace {

using reference::decode_all;
using reference::kReplacement;
using reference::Rune;
using reference::valid_utf8;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_case_mapping: %s\n", what);
    std::abort();
  }
}

char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

template <class Map, class Ascii>
void check_mapping(std::string_view input, Map map, Ascii ascii, const char* name) {
  const std::string out = map(input);
  check(valid_utf8(out), name);
  const auto in_runes = decode_all(input);
  const auto out_runes = decode_all(out);
  check(in_runes.size() == out_runes.size(), "not one code point out for each one in");
  for (std::size_t i = 0; i < in_runes.size(); ++i) {
    const Rune& in = in_runes[i];
    const char32_t got = out_runes[i].value;
    if (in.bad) {
      check(got == kReplacement, "an invalid byte did not become U+FFFD");
    } else if (in.value < 0x80) {
      check(got == static_cast<unsigned char>(ascii(static_cast<char>(in.value))),
            "an ASCII character was not mapped as ASCII");
    }
  }
  // glibc's tables map an already mapped letter to itself (checked over every code point); if
  // a future table does not, this is where it shows.
  check(map(out) == out, "mapping twice differs from mapping once");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_mapping(input, gonet::to_upper, ascii_upper, "to_upper gave invalid UTF-8");
  check_mapping(input, gonet::to_lower, ascii_lower, "to_lower gave invalid UTF-8");
  (void)gonet::to_lower(gonet::to_upper(input));
  (void)gonet::to_upper(gonet::to_lower(input));

  bool ascii = true;
  for (const char c : input) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    std::string upper(input);
    std::string lower(input);
    for (char& c : upper) c = ascii_upper(c);
    for (char& c : lower) c = ascii_lower(c);
    check(gonet::to_upper(input) == upper, "to_upper of ASCII is not ASCII upper case");
    check(gonet::to_lower(input) == lower, "to_lower of ASCII is not ASCII lower case");
  }
  return 0;
}
