#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include "servers/chat/chat_options.hpp"
#include "servers/chat/client/outgoing_queue.hpp"
#include "servers/chat/room/names.hpp"
#include "servers/chat/room/wire.hpp"

namespace gonet {
namespace {

using asio::ip::make_address;
using asio::ip::tcp;

TEST(ChatWire, SpeaksTheBooksBytes) {
  EXPECT_EQ(wire::you_are("127.0.0.1:51234"), "You are 127.0.0.1:51234\n");
  EXPECT_EQ(wire::has_arrived("127.0.0.1:51234"), "127.0.0.1:51234 has arrived\n");
  EXPECT_EQ(wire::says("[::1]:51234", "hi there"), "[::1]:51234: hi there\n");
  EXPECT_EQ(wire::says("a", ""), "a: \n");
  EXPECT_EQ(wire::has_left("127.0.0.1:51234"), "127.0.0.1:51234 has left\n");
}

TEST(ChatWire, SaysWhoIsPresentInArrivalOrder) {
  EXPECT_EQ(wire::present({}), "Present: nobody\n");
  const std::vector<std::string_view> one{"alice"};
  EXPECT_EQ(wire::present(one), "Present: alice\n");
  const std::vector<std::string_view> three{"zed", "alice", "bob"};
  EXPECT_EQ(wire::present(three), "Present: zed, alice, bob\n");
  EXPECT_EQ(wire::present(three, 2900), "Present: zed, alice, bob, and 2900 more\n");
}

TEST(ChatWire, MakesTextSafeForATerminalUnlessRaw) {
  EXPECT_EQ(wire::says_safely("alice", "hi \x1b[2J there\r"), "alice: hi \\x1b[2J there\\r\n");
  EXPECT_EQ(wire::says_safely("alice", "¿qué?\tok"), "alice: ¿qué?\tok\n");
  EXPECT_EQ(wire::says("alice", "hi \x1b[2J"), "alice: hi \x1b[2J\n");
}

TEST(ChatWire, SaysHowManyMessagesWereSkipped) {
  EXPECT_EQ(wire::skipped(42), "(42 messages skipped)\n");
  EXPECT_EQ(wire::kEnterYourName, "Enter your name:\n");
  EXPECT_EQ(wire::kNameTaken, "name taken, try another:\n");
  EXPECT_EQ(wire::kNameEmpty, "name must not be empty:\n");
  EXPECT_EQ(wire::kNameNotAllowed,
            "name not allowed: use 1 to 32 letters, digits, '-', '_' or '.':\n");
}

TEST(ChatNames, NamesAClientByItsAddressAsGoPrintsIt) {
  EXPECT_EQ(name_of(tcp::endpoint(make_address("127.0.0.1"), 51234)), "127.0.0.1:51234");
  EXPECT_EQ(name_of(tcp::endpoint(make_address("::1"), 51234)), "[::1]:51234");
  EXPECT_EQ(name_of(tcp::endpoint(make_address("2001:db8::7"), 80)), "[2001:db8::7]:80");
  // An IPv4 client of a server on "::" comes as a mapped address; Go names it by its IPv4 one.
  EXPECT_EQ(name_of(tcp::endpoint(make_address("::ffff:127.0.0.1"), 40000)), "127.0.0.1:40000");
}

TEST(ChatNames, TrimsWhiteSpaceAsGoStringsTrimSpaceDoes) {
  EXPECT_EQ(trim_name("alice"), "alice");
  EXPECT_EQ(trim_name("  alice \t"), "alice");
  EXPECT_EQ(trim_name("\v\f bob smith \r"), "bob smith") << "inner spaces stay";
  EXPECT_EQ(trim_name("\u00a0carol\u3000"), "carol") << "no-break and ideographic spaces";
  EXPECT_EQ(trim_name("\u2003dave\u0085"), "dave") << "em space and NEL";
  EXPECT_EQ(trim_name("   "), "");
  EXPECT_EQ(trim_name(""), "");
  EXPECT_EQ(trim_name("\u00a0"), "");
  EXPECT_EQ(trim_name("élan"), "élan");
  EXPECT_EQ(trim_name("ü "), "ü");
  // Invalid UTF-8 is no white space: kept as it is.
  EXPECT_EQ(trim_name("\xa0x\xa0"), "\xa0x\xa0");
  EXPECT_EQ(trim_name(" \xc2"), "\xc2");
}

using Verdict = ChosenName::Verdict;

std::string allowed(std::string_view line) {
  const ChosenName chosen = choose_name(line);
  EXPECT_EQ(chosen.verdict, Verdict::allowed) << line;
  return chosen.name;
}

void refused(std::string_view line, const char* why) {
  EXPECT_EQ(choose_name(line).verdict, Verdict::not_allowed) << why;
}

TEST(ChatNames, AllowsLettersAndDigitsOfAnyScriptAndDashUnderscoreDot) {
  EXPECT_EQ(allowed("alice"), "alice");
  EXPECT_EQ(allowed("  alice \r"), "alice");
  EXPECT_EQ(allowed("José"), "José");
  EXPECT_EQ(allowed("R2-D2_v1.0"), "R2-D2_v1.0");
  EXPECT_EQ(allowed("асе"), "асе") << "all Cyrillic";
  EXPECT_EQ(allowed("Ελένη"), "Ελένη");
  EXPECT_EQ(allowed("山田Taro"), "山田Taro") << "Latin with Han is highly restrictive";
  EXPECT_EQ(allowed("やまだTaro"), "やまだTaro") << "and with Kana";
  EXPECT_EQ(allowed("김민수"), "김민수");
  EXPECT_EQ(allowed("..."), "...");
  EXPECT_EQ(allowed("٣"), "٣") << "a digit of another script";
}

TEST(ChatNames, PutsANameInNfc) {
  // "José" with a combining acute accent comes out with the precomposed é.
  EXPECT_EQ(allowed("Jose\u0301"), "Jos\u00e9");
  // Hangul jamo compose into one syllable.
  EXPECT_EQ(allowed("\u1100\u1161"), "\uac00");
}

TEST(ChatNames, AllowsThirtyTwoCodePointsAndNoMore) {
  EXPECT_EQ(allowed(std::string(32, 'a')), std::string(32, 'a'));
  refused(std::string(33, 'a'), "33 characters");
  std::string accented;
  for (int i = 0; i < 32; ++i) accented += "é";
  EXPECT_EQ(allowed(accented), accented) << "characters, not bytes";
  std::string combining;
  for (int i = 0; i < 32; ++i) combining += "e\u0301";
  EXPECT_EQ(allowed(combining), accented) << "counted once in NFC";
  refused(accented + "é", "33 characters in NFC");
  refused(std::string(64 * 1024, 'x'), "a 64 KiB name");
}

TEST(ChatNames, RefusesWhatIsNoLetterDigitOrDashUnderscoreDot) {
  refused("bob smith", "a space");
  refused("alice: hi", "a colon");
  refused("x!", "punctuation");
  refused("zz\ralice", "a carriage return");
  refused("\x1b[31malice", "an escape sequence");
  refused("alice\u200b", "a zero-width space");
  refused("al\u200dice", "a zero-width joiner");
  refused("alice\u202e", "a right-to-left override");
  refused("\u200falice", "a right-to-left mark");
  refused("alice\u2066", "a bidi isolate");
  refused("e\u0301\u0301", "a combining mark left over after NFC");
  refused("smile😀", "an emoji");
  refused("al\xffice", "invalid UTF-8");
  refused("\uFFFD", "U+FFFD itself");
}

TEST(ChatNames, RefusesLettersThatDrawAsNothing) {
  // Hangul fillers are letters (Lo) but Default_Ignorable: on a terminal each of these is "alice".
  for (const char* filler : {"\u115f", "\u1160", "\u3164", "\uffa0"}) {
    const std::string f = filler;
    refused(f, "a filler alone");
    refused("alice" + f, "a filler after");
    refused("a" + f + "lice", "a filler inside");
    refused(f + "alice", "a filler before");
  }
}

TEST(ChatNames, RefusesEveryDefaultIgnorableCodePoint) {
  int checked = 0;
  for (UChar32 c = 0; c <= 0x10FFFF; ++c) {
    if (!u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) continue;
    icu::UnicodeString one(c);
    std::string utf8;
    one.toUTF8String(utf8);
    ++checked;
    EXPECT_NE(choose_name("ab" + utf8).verdict, Verdict::allowed) << "U+" << std::hex << c;
    EXPECT_NE(choose_name(utf8).verdict, Verdict::allowed) << "U+" << std::hex << c;
  }
  EXPECT_GT(checked, 4000) << "every range, planes 0 to 14";
}

TEST(ChatNames, RefusesLettersOutsideTheRecommendedSet) {
  refused("\u01c0", "a click letter (Latin, not recommended)");
  refused("\u2c00", "Glagolitic, a historic script");
  refused("\U00010300", "Old Italic");
}

TEST(ChatNames, AllowsOrdinaryNamesOfEveryScriptEachAKeyOfItsOwn) {
  // Scripts whose names are letters alone: a vowel sign (Devanagari's, say) is a mark, not a
  // letter, and -names takes letters and digits only.
  const std::vector<std::string> names = {
      "alice", "bob",   "carol", "José", "Zoë",    "Ελένη",   "Γιώργος", "山田",
      "太郎",  "Иван",  "Мария", "محمد", "فاطمة",  "김민수",  "민준",    "דוד",
      "שרה",   "สมชาย", "ნინო",  "Արամ", "やまだ", "カタカナ"};
  for (const std::string& name : names) EXPECT_EQ(allowed(name), name);
  for (std::size_t i = 0; i < names.size(); ++i) {
    for (std::size_t j = i + 1; j < names.size(); ++j) {
      const auto a = keys_of(names[i]), b = keys_of(names[j]);
      EXPECT_FALSE(a.folded == b.folded || a.skeleton == b.skeleton) << names[i] << " " << names[j];
    }
  }
}

TEST(ChatNames, RefusesAMixOfScriptsBelowHighlyRestrictive) {
  refused("аlice", "a Cyrillic a among Latin letters");
  refused("pаypal", "another");
  refused("Ελena", "Greek with Latin");
}

TEST(ChatNames, SaysAnEmptyNameIsEmpty) {
  for (const std::string_view line : {"", "   ", "\t\r", "\u00a0\u3000"}) {
    EXPECT_EQ(choose_name(line).verdict, Verdict::empty) << line;
  }
}

TEST(ChatNames, NamesThatLookAlikeShareAKey) {
  const auto alice = keys_of("alice");
  const auto shares = [&](std::string_view other) {
    const auto keys = keys_of(other);
    return keys.folded == alice.folded || keys.skeleton == alice.skeleton;
  };
  EXPECT_TRUE(shares("alice"));
  EXPECT_TRUE(shares("ALICE")) << "equal ignoring case";
  EXPECT_TRUE(shares("Alice"));
  EXPECT_TRUE(shares("a1ice")) << "a digit one for an l";
  EXPECT_TRUE(shares("aIice")) << "a capital i for an l";
  EXPECT_FALSE(shares("alicia"));
  EXPECT_FALSE(shares("bob"));
  EXPECT_EQ(keys_of("ace").skeleton, keys_of("асе").skeleton) << "all-Cyrillic look-alike";
  EXPECT_EQ(keys_of("mary").skeleton, keys_of("rnary").skeleton);
  EXPECT_NE(keys_of("mary"), keys_of("marty"));
}

TEST(ChatNames, NamesThatLookAlikeInAnyCaseShareAKey) {
  // The probe's impersonations: all-Cyrillic look-alikes, with the small palochka U+04CF whose
  // skeleton is an i (its capital's is an l).
  const auto shares = [](std::string_view a, std::string_view b) {
    const auto x = keys_of(a), y = keys_of(b);
    return x.folded == y.folded || x.skeleton == y.skeleton;
  };
  EXPECT_TRUE(shares("alice", "\u0430\u04cf\u0456\u0441\u0435")) << "аӏісе";
  EXPECT_TRUE(shares("apple", "\u0430\u0440\u0440\u04cf\u0435")) << "аррӏе";
  EXPECT_TRUE(shares("hello", "\u04bb\u0435\u04cf\u04cf\u043e")) << "һеӏӏо";
  EXPECT_TRUE(shares("paypal", "\u0440\u0430\u0443\u0440\u0430\u04cf")) << "раураӏ";
  EXPECT_TRUE(shares("ALICE", "\u0430\u04cf\u0456\u0441\u0435")) << "in any case";
  EXPECT_TRUE(shares("Hello", "\u04ba\u0415\u04c0\u04c0\u041e")) << "ҺЕӀӀО";
  // What the key gives up for it: an i and an l are one letter.
  EXPECT_TRUE(shares("lili", "lill"));
  EXPECT_FALSE(shares("alice", "alicia"));
}

TEST(ChatOptions, HasTheSpecDefaults) {
  const Program chat{"chat", "test"};
  const auto options = parse_chat_options(chat, {});
  EXPECT_EQ(options.serve.listen.port, 8000);
  EXPECT_EQ(options.serve.listen.host, "localhost");
  EXPECT_EQ(options.idle_timeout, std::chrono::minutes(5));
  EXPECT_EQ(options.queue, 256u);
  EXPECT_FALSE(options.names);
  EXPECT_EQ(options.max_line, 65536u);
  EXPECT_EQ(options.serve.write_timeout, std::chrono::seconds(30));
  EXPECT_EQ(options.serve.max_conns, 0u);
  EXPECT_EQ(options.serve.max_conns_per_host, 0u);
  EXPECT_EQ(options.serve.threads, 1u);
  EXPECT_EQ(options.rate, 20u);
  EXPECT_FALSE(options.raw);
}

TEST(ChatOptions, ParsesEveryChatFlag) {
  const Program chat{"chat", "test"};
  const auto options =
      parse_chat_options(chat, {"-idle-timeout", "0", "-queue=10", "--names", "-max-line", "100",
                                "-write-timeout", "2s", "-max-conns", "5", "-port", "0", "-threads",
                                "2", "-rate", "0", "-raw", "-max-conns-per-host", "3"});
  EXPECT_EQ(options.idle_timeout.count(), 0);
  EXPECT_EQ(options.queue, 10u);
  EXPECT_TRUE(options.names);
  EXPECT_EQ(options.max_line, 100u);
  EXPECT_EQ(options.serve.write_timeout, std::chrono::seconds(2));
  EXPECT_EQ(options.serve.max_conns, 5u);
  EXPECT_EQ(options.serve.listen.port, 0);
  EXPECT_EQ(options.serve.threads, 2u);
  EXPECT_EQ(options.rate, 0u);
  EXPECT_TRUE(options.raw);
  EXPECT_EQ(options.serve.max_conns_per_host, 3u);
  for (const std::vector<std::string>& args : {std::vector<std::string>{"-queue", "0"},
                                               {"-queue", "many"},
                                               {"-max-line", "0"},
                                               {"-idle-timeout", "soon"},
                                               {"-threads", "0"},
                                               {"-rate", "-1"},
                                               {"-rate", "1.5"},
                                               {"-raw=maybe"},
                                               {"-names=maybe"}}) {
    EXPECT_THROW(parse_chat_options(chat, args), UsageError) << args[0];
  }
}

// The bus's check of another node's names (is_member_name): what -names admits as it is, or an
// address as chat names its clients; the fast ways for ASCII names and IPv4 addresses agree with
// the slow ones.
TEST(ChatNames, AMemberNameIsOneNamesAdmitsOrAnAddress) {
  for (const char* name :
       {"alice", "a", "a.b-c_d", "José", "山田", "Иван", "127.0.0.1:1", "255.255.255.255:65535",
        "0.0.0.0:8000", "[::1]:80", "[2001:db8::1]:51234", "[fe80::1%ens3]:5", "[fe80::1%7]:5"}) {
    EXPECT_TRUE(is_member_name(name)) << name;
  }
  for (const char* name : {"",
                           " alice",
                           "alice ",
                           "a b",
                           "аlice",
                           "1.2.3.4:0",
                           "1.2.3.4:65536",
                           "1.2.3.256:5",
                           "01.2.3.4:5",
                           "1.2.3.4:05",
                           "1.2.3:5",
                           "1.2.3.4.5:6",
                           "1.2.3.4:",
                           "1.2.3.4:5x",
                           "[::ffff:1.2.3.4]:5",
                           "[::1]:0",
                           "::1:80",
                           "[::1]:http",
                           "localhost:80",
                           "[fe80::1%]:5",
                           "[fe80::1%a b]:5",
                           "[fe80::1%\x1b]:5",
                           "1.2.3.4%eth0:5"}) {
    EXPECT_FALSE(is_member_name(name)) << name;
  }
  EXPECT_FALSE(is_member_name(std::string(33, 'a')));
  EXPECT_TRUE(is_member_name(std::string(32, 'a')));
  // Every ASCII name of letters, digits and "-_." up to 32 long is one choose_name admits as is.
  const std::string alphabet = "abcXYZ019-_.";
  std::string name;
  for (std::size_t i = 0; i < 2000; ++i) {
    name = alphabet.substr(i % alphabet.size(), 1) + name.substr(0, 31);
    const ChosenName chosen = choose_name(name);
    EXPECT_EQ(is_member_name(name),
              chosen.verdict == ChosenName::Verdict::allowed && chosen.name == name)
        << name;
  }
}

TEST(ChatOptions, TakesRedisAsAnAddressOrAUrlAndWantsARoomKey) {
  const Program chat{"chat", "test"};
  const auto options = parse_chat_options(
      chat, {"-redis", "rediss://node@redis.example:6380", "-room-key-file", "room.key",
             "-redis-tls-ca", "ca.pem", "-redis-password-file", "pw", "-room", "lobby"});
  ASSERT_TRUE(options.redis);
  EXPECT_EQ(options.redis->transport, RedisAddress::Transport::tls);
  EXPECT_EQ(options.redis->user, "node");
  EXPECT_EQ(options.room_key_file, "room.key");
  EXPECT_EQ(options.redis_password_file, "pw");
  EXPECT_TRUE(options.redis_tls.enabled);
  EXPECT_EQ(options.redis_tls.ca_file, "ca.pem");
  EXPECT_EQ(options.room, "lobby");
  try {
    parse_chat_options(chat, {"-redis", "/run/redis.sock"});
    ADD_FAILURE() << "-redis without -room-key-file";
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("head -c 32 /dev/urandom | base64 > room.key"),
              std::string::npos)
        << error.what();
  }
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"-redis", "relative.sock", "-room-key-file", "k"},
           {"-redis", "localhost:6379", "-room-key-file", "k", "-redis-tls-ca", "ca.pem"},
           {"-redis", "rediss://h", "-room-key-file", "k", "-redis-tls-key", "k.pem"},
           {"-redis", "/r.sock", "-room-key-file", "k", "-max-line", "2000000"},
           {"-redis", "/r.sock", "-room-key-file", "k", "-room", "a*"},
           {"-redis", "/r.sock", "-room-key-file", "k", "-room", "a\x1b"},
           {"-redis", "/r.sock", "-room-key-file", "k", "-room", std::string(65, 'r')},
       }) {
    EXPECT_THROW(parse_chat_options(chat, args), UsageError) << args[1];
  }
}

}  // namespace
}  // namespace gonet
