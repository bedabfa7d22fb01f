#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <asio/ip/tcp.hpp>

namespace gonet {

// A client's name by default: its address as Go's conn.RemoteAddr().String() prints it,
// "127.0.0.1:51234", "[::1]:51234"; an IPv4 client of a server listening on "::" is named by its
// IPv4 address, as Go names it, not "[::ffff:127.0.0.1]:51234".
std::string name_of(const asio::ip::tcp::endpoint& peer);

// A name a client chose (-names): its line without the white space around it, as Go's
// strings.TrimSpace cuts it (ASCII and Unicode white space, such as a no-break space).
std::string trim_name(std::string_view line);

// What a newcomer's line makes of the name it chose (-names): trimmed and put in NFC, 1 to 32
// code points, each a letter or digit of any script (Unicode categories L and N) that Unicode
// TS #39 recommends for identifiers and that is not Default_Ignorable, or one of "-_.", and of
// one script as TS #39's "highly restrictive" level has it (Latin with Cyrillic is not; Latin
// with Han and Kana is). So no name holds a control, a space, a format or invisible character (a
// Hangul filler is a letter that draws as nothing), or passes for another by mixing look-alike
// letters of two scripts.
struct ChosenName {
  enum class Verdict { allowed, empty, not_allowed };
  Verdict verdict;
  std::string name;  // when allowed
};
ChosenName choose_name(std::string_view line);

// Whether `text` can name a client of another node (SPEC "on a hostile bus"): a name that
// choose_name() admits as it is, or an address as name_of() writes one.
bool is_member_name(std::string_view text);

// How a name looks to a reader: two names that share either key pass for each other, and only
// one of them may be present. `folded` is one key for the name in any case, made of TS #39
// confusable skeletons and case mappings (alice, ALICE, a1ice and the all-Cyrillic аӏісе share
// it); `skeleton` that of the name as it is (Il1 and lll). `folded` errs on the side of taken:
// to it an i and an l are one letter (the skeleton makes a capital I an l, and lowering then
// makes every L one too), so lili and lill share it.
struct NameKeys {
  std::string folded;
  std::string skeleton;
  bool operator==(const NameKeys&) const = default;
};
NameKeys keys_of(std::string_view name);

// Loads the Unicode data the two above need (ICU loads it on first use): call it once before
// the event loops start, so that they share it read-only and no newcomer waits for it.
void load_name_rules();

}  // namespace gonet
