#include "servers/chat/room/names.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uniset.h>
#include <unicode/unistr.h>
#include <unicode/uspoof.h>

#include "common/net/connection.hpp"
#include "common/text/address.hpp"
#include "common/text/utf8.hpp"

namespace gonet {
namespace {

// Unicode's White_Space, as Go's unicode.IsSpace.
bool is_space(char32_t rune) {
  switch (rune) {
    case U'\t':
    case U'\n':
    case U'\v':
    case U'\f':
    case U'\r':
    case U' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return rune >= 0x2000 && rune <= 0x200A;
  }
}

// The width of the white space rune that ends `text`, or 0.
std::size_t space_at_end(std::string_view text) {
  // The rune starts at the last byte that is not a continuation byte, at most 4 from the end.
  std::size_t start = text.size();
  while (start > 0 && text.size() - start < 4) {
    --start;
    if ((static_cast<unsigned char>(text[start]) & 0xC0) != 0x80) break;
  }
  if (start == text.size()) return 0;
  const auto rune = utf8::decode(text, start);
  const std::size_t width = text.size() - start;
  return rune.valid && rune.width == width && is_space(rune.value) ? width : 0;
}

}  // namespace

namespace {

// Past this many bytes a line cannot be 32 code points once in NFC (composition joins at most a
// few code points of at most 4 bytes each): refused without asking ICU.
constexpr std::size_t kMaxNameBytes = 1024;
constexpr int32_t kMaxNameCodePoints = 32;

// ICU's spoof checker, made once: it only reads its data after that, and ICU lets any number of
// threads check with one checker at once.
const USpoofChecker& spoof_checker() {
  static const USpoofChecker* const checker = [] {
    UErrorCode status = U_ZERO_ERROR;
    USpoofChecker* made = uspoof_open(&status);
    uspoof_setChecks(made, USPOOF_RESTRICTION_LEVEL, &status);
    uspoof_setRestrictionLevel(made, USPOOF_HIGHLY_RESTRICTIVE);
    if (U_FAILURE(status)) {
      throw std::runtime_error(std::string("ICU spoof checker: ") + u_errorName(status));
    }
    return made;
  }();
  return *checker;
}

// TS #39's General Security Profile: the characters Unicode recommends for identifiers. It leaves
// out what draws as nothing though it is a letter, such as the Hangul fillers.
const icu::UnicodeSet& recommended() {
  static const icu::UnicodeSet* const set = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::UnicodeSet* found = uspoof_getRecommendedUnicodeSet(&status);
    if (U_FAILURE(status) || found == nullptr) {
      throw std::runtime_error(std::string("ICU recommended set: ") + u_errorName(status));
    }
    return found;
  }();
  return *set;
}

bool allowed_in_a_name(UChar32 c) {
  if (c == '-' || c == '_' || c == '.') return true;
  return (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_N_MASK)) != 0 &&
         !u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) && recommended().contains(c);
}

std::string skeleton(const icu::UnicodeString& name) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out;
  uspoof_getSkeletonUnicodeString(&spoof_checker(), 0, name, out, &status);
  if (U_FAILURE(status)) out = name;
  std::string utf8;
  return out.toUTF8String(utf8);
}

}  // namespace

std::string name_of(const asio::ip::tcp::endpoint& peer) {
  const auto address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    const auto v4 = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    return to_string(asio::ip::tcp::endpoint(v4, peer.port()));
  }
  return to_string(peer);
}

std::string trim_name(std::string_view line) {
  while (!line.empty()) {
    const auto rune = utf8::decode(line, 0);
    if (!rune.valid || !is_space(rune.value)) break;
    line.remove_prefix(rune.width);
  }
  while (const std::size_t width = space_at_end(line)) line.remove_suffix(width);
  return std::string(line);
}

ChosenName choose_name(std::string_view line) {
  const std::string trimmed = trim_name(line);
  if (trimmed.empty()) return {ChosenName::Verdict::empty, {}};
  const ChosenName not_allowed{ChosenName::Verdict::not_allowed, {}};
  if (trimmed.size() > kMaxNameBytes) return not_allowed;
  // Invalid UTF-8 comes in as U+FFFD, a symbol, and is refused with it.
  const icu::UnicodeString text = icu::UnicodeString::fromUTF8(trimmed);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return not_allowed;
  const icu::UnicodeString name = nfc->normalize(text, status);
  if (U_FAILURE(status)) return not_allowed;
  const int32_t length = name.countChar32();
  if (length < 1 || length > kMaxNameCodePoints) return not_allowed;
  for (int32_t i = 0; i < name.length(); i = name.moveIndex32(i, 1)) {
    if (!allowed_in_a_name(name.char32At(i))) return not_allowed;
  }
  if (uspoof_check2UnicodeString(&spoof_checker(), name, nullptr, &status) != 0 ||
      U_FAILURE(status)) {
    return not_allowed;
  }
  std::string utf8;
  name.toUTF8String(utf8);
  return {ChosenName::Verdict::allowed, std::move(utf8)};
}

namespace {

// A decimal number as to_string writes it (no sign, no leading zero), from `min` to `max`, taken
// off the front of `text`.
bool take_number(std::string_view& text, unsigned min, unsigned max) {
  unsigned value = 0;
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9' && digits < 6) {
    value = value * 10 + static_cast<unsigned>(text[digits] - '0');
    ++digits;
  }
  if (digits == 0 || (digits > 1 && text[0] == '0') || value < min || value > max) return false;
  text.remove_prefix(digits);
  return true;
}

// "A.B.C.D:PORT" as name_of() writes an IPv4 client: the name of most clients, so a heartbeat
// checks thousands of them without a parser's round trip.
bool is_ipv4_name(std::string_view text) {
  for (int octet = 0; octet < 4; ++octet) {
    if (!take_number(text, 0, 255) || text.empty() || text[0] != (octet < 3 ? '.' : ':')) {
      return false;
    }
    text.remove_prefix(1);
  }
  return take_number(text, 1, 65535) && text.empty();
}

}  // namespace

bool is_member_name(std::string_view text) {
  if (text.empty() || text.size() > kMaxNameBytes) return false;
  // Most names are ASCII letters, digits and "-_.": always admitted (one script, nothing to
  // normalize), so a heartbeat of thousands of them costs no call to ICU.
  const bool plain = text.size() <= static_cast<std::size_t>(kMaxNameCodePoints) &&
                     std::all_of(text.begin(), text.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                              (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
                     });
  if (plain) return true;
  if (is_ipv4_name(text)) return true;
  if (const auto endpoint = parse_host_port(text); endpoint && endpoint->service.empty()) {
    // A link-local address names its zone by the sender's interface, which this machine need
    // not have: the zone is checked by its form alone.
    const auto percent = endpoint->host.find('%');
    const std::string zone =
        percent == std::string::npos ? std::string() : endpoint->host.substr(percent);
    const bool plain_zone = zone.size() <= 16 && zone.find_first_not_of(
                                                     "%abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
                                                     "QRSTUVWXYZ0123456789._-",
                                                     1) == std::string::npos;
    std::error_code not_an_address;
    const auto address = asio::ip::make_address(endpoint->host.substr(0, percent), not_an_address);
    if (!not_an_address && endpoint->port != 0 && plain_zone && zone != "%") {
      std::string named = name_of(asio::ip::tcp::endpoint(address, endpoint->port));
      if (!zone.empty()) {
        if (!address.is_v6()) return false;
        named.insert(named.find(']'), zone);
      }
      return named == text;
    }
  }
  const ChosenName chosen = choose_name(text);
  return chosen.verdict == ChosenName::Verdict::allowed && chosen.name == text;
}

NameKeys keys_of(std::string_view name) {
  const icu::UnicodeString text = icu::UnicodeString::fromUTF8(name);
  // Skeletons keep case, and ICU's data is not the same for a letter and its capital (Cyrillic
  // small palochka is an i, its capital an l): the skeleton of the name in capitals, lowered and
  // taken again, is one key for the name in any case. It maps alice, ALICE, a1ice and the
  // all-Cyrillic аӏісе to allce.
  icu::UnicodeString any_case = text;
  any_case.foldCase();
  any_case.toUpper();
  icu::UnicodeString lowered = icu::UnicodeString::fromUTF8(skeleton(any_case));
  lowered.toLower();
  return {skeleton(lowered), skeleton(text)};
}

void load_name_rules() { (void)keys_of(choose_name("Name").name); }

}  // namespace gonet
