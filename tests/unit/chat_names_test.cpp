#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "servers/chat/chat_options.hpp"
#include "servers/chat/names.hpp"
#include "servers/chat/wire.hpp"

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
}

TEST(ChatWire, SaysHowManyMessagesWereSkipped) {
  EXPECT_EQ(wire::skipped(42), "(42 messages skipped)\n");
  EXPECT_EQ(wire::kEnterYourName, "Enter your name:\n");
  EXPECT_EQ(wire::kNameTaken, "name taken, try another:\n");
  EXPECT_EQ(wire::kNameEmpty, "name must not be empty:\n");
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

TEST(ChatOptions, HasTheSpecDefaults) {
  const Program chat{"chat", "test", false};
  const auto options = parse_chat_options(chat, {});
  EXPECT_EQ(options.serve.listen.port, 8000);
  EXPECT_EQ(options.serve.listen.host, "localhost");
  EXPECT_EQ(options.idle_timeout, std::chrono::minutes(5));
  EXPECT_EQ(options.queue, 256u);
  EXPECT_FALSE(options.names);
  EXPECT_EQ(options.max_line, 65536u);
  EXPECT_EQ(options.serve.write_timeout, std::chrono::seconds(30));
  EXPECT_EQ(options.serve.max_conns, 0u);
}

TEST(ChatOptions, ParsesEveryChatFlag) {
  const Program chat{"chat", "test", false};
  const auto options =
      parse_chat_options(chat, {"-idle-timeout", "0", "-queue=10", "--names", "-max-line", "100",
                                "-write-timeout", "2s", "-max-conns", "5", "-port", "0"});
  EXPECT_EQ(options.idle_timeout.count(), 0);
  EXPECT_EQ(options.queue, 10u);
  EXPECT_TRUE(options.names);
  EXPECT_EQ(options.max_line, 100u);
  EXPECT_EQ(options.serve.write_timeout, std::chrono::seconds(2));
  EXPECT_EQ(options.serve.max_conns, 5u);
  EXPECT_EQ(options.serve.listen.port, 0);
  for (const std::vector<std::string>& args : {std::vector<std::string>{"-queue", "0"},
                                               {"-queue", "many"},
                                               {"-max-line", "0"},
                                               {"-idle-timeout", "soon"},
                                               {"-threads", "2"},
                                               {"-names=maybe"}}) {
    EXPECT_THROW(parse_chat_options(chat, args), UsageError) << args[0];
  }
}

}  // namespace
}  // namespace gonet
