#include "servers/chat/outgoing_queue.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace gonet {
namespace {

Message text(const std::string& line) { return std::make_shared<const std::string>(line + "\n"); }

// What a client would read if the writer took everything now: messages as their text, skipped
// notices as "(N)".
std::vector<std::string> drain(OutgoingQueue& queue) {
  std::vector<std::string> out;
  while (!queue.empty()) {
    for (const Outgoing& entry : queue.start_writing(1000, 1 << 30)) {
      out.push_back(entry.message ? *entry.message : "(" + std::to_string(entry.skipped) + ")");
    }
    queue.written();
  }
  return out;
}

TEST(OutgoingQueue, KeepsMessagesInTheOrderTheyCame) {
  OutgoingQueue queue(256, 1 << 20);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(queue.push(text(std::to_string(i))));
  const auto out = drain(queue);
  ASSERT_EQ(out.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(out[i], std::to_string(i) + "\n");
  EXPECT_EQ(queue.messages(), 0u);
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(OutgoingQueue, HoldsAtMostQueueMessagesAndSaysHowManyItSkippedWhereTheyWere) {
  OutgoingQueue queue(3, 1 << 20);
  for (int i = 0; i < 10; ++i) queue.push(text(std::to_string(i)));
  EXPECT_EQ(queue.messages(), 3u);
  EXPECT_EQ(queue.skipped(), 7u);
  EXPECT_EQ(drain(queue), (std::vector<std::string>{"0\n", "1\n", "2\n", "(7)"}));
  // Caught up: the next messages come after the notice.
  EXPECT_TRUE(queue.push(text("10")));
  EXPECT_EQ(drain(queue), (std::vector<std::string>{"10\n"}));
}

TEST(OutgoingQueue, HoldsAtMostItsBytes) {
  OutgoingQueue queue(256, 100);
  const std::string line(39, 'x');  // 40 bytes with its newline
  EXPECT_TRUE(queue.push(text(line)));
  EXPECT_TRUE(queue.push(text(line)));
  EXPECT_FALSE(queue.push(text(line))) << "120 bytes would be over 100";
  EXPECT_TRUE(queue.push(text("short"))) << "a message that fits still goes in";
  EXPECT_EQ(queue.bytes(), 86u);
  EXPECT_EQ(drain(queue), (std::vector<std::string>{line + "\n", line + "\n", "(1)", "short\n"}));
}

TEST(OutgoingQueue, TakesAMessageBiggerThanItsBytesWhenEmpty) {
  OutgoingQueue queue(256, 10);
  EXPECT_TRUE(queue.push(text(std::string(50, 'y'))));
  EXPECT_FALSE(queue.push(text("z")));
  EXPECT_EQ(drain(queue).size(), 2u);
}

TEST(OutgoingQueue, CountsMessagesBeingWrittenAgainstTheBounds) {
  OutgoingQueue queue(2, 1 << 20);
  queue.push(text("a"));
  queue.push(text("b"));
  ASSERT_EQ(queue.start_writing(10, 1 << 20).size(), 2u);
  EXPECT_TRUE(queue.empty());
  EXPECT_FALSE(queue.push(text("c"))) << "two are still being written";
  queue.written();
  EXPECT_TRUE(queue.push(text("d")));
  EXPECT_EQ(drain(queue), (std::vector<std::string>{"(1)", "d\n"}));
}

TEST(OutgoingQueue, ANoticeBeingWrittenCountsNoMoreSkips) {
  OutgoingQueue queue(1, 1 << 20);
  queue.push(text("a"));
  queue.push(text("b"));  // skipped: a notice of 1
  const auto batch = queue.start_writing(10, 1 << 20);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[1].skipped, 1u);
  EXPECT_FALSE(queue.push(text("c")));  // "a" still counts: skipped, in a notice of its own
  // (The batch's span is gone with that push; the messages' text stays put until written().)
  queue.written();
  EXPECT_TRUE(queue.push(text("d")));
  EXPECT_EQ(drain(queue), (std::vector<std::string>{"(1)", "d\n"}));
}

TEST(OutgoingQueue, WritesBatchesOfAtMostTheGivenEntriesAndBytesButAlwaysOne) {
  OutgoingQueue queue(256, 1 << 20);
  for (int i = 0; i < 10; ++i) queue.push(text(std::string(9, 'a' + i)));  // 10 bytes each
  EXPECT_EQ(queue.start_writing(4, 1000).size(), 4u);
  queue.written();
  EXPECT_EQ(queue.start_writing(100, 25).size(), 2u);
  queue.written();
  EXPECT_EQ(queue.start_writing(100, 5).size(), 1u) << "a batch holds at least one entry";
  queue.written();
  EXPECT_EQ(queue.messages(), 3u);
}

TEST(OutgoingQueue, LinesOfTheServersOwnIgnoreTheBounds) {
  OutgoingQueue queue(1, 1 << 20);
  queue.push(text("a"));
  queue.push_always(text("Enter your name:"));
  EXPECT_EQ(drain(queue), (std::vector<std::string>{"a\n", "Enter your name:\n"}));
}

TEST(OutgoingQueue, KeepsHowMuchOfAMessageWentStraightToTheClient) {
  OutgoingQueue queue(256, 1 << 20);
  EXPECT_TRUE(queue.idle());
  queue.push_rest(text("partly sent"), 6);
  EXPECT_FALSE(queue.idle());
  queue.push(text("next"));
  const auto batch = queue.start_writing(10, 1 << 20);
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].sent, 6u);
  EXPECT_EQ(batch[1].sent, 0u);
  EXPECT_FALSE(queue.idle()) << "being written";
  queue.written();
  EXPECT_TRUE(queue.idle());
}

TEST(OutgoingQueue, AClosedQueueKeepsWhatItHoldsAndTakesNothingMore) {
  OutgoingQueue queue(256, 1 << 20);
  queue.push(text("before"));
  queue.close();
  EXPECT_TRUE(queue.closed());
  EXPECT_FALSE(queue.accepting());
  EXPECT_FALSE(queue.push(text("after")));
  EXPECT_EQ(queue.skipped(), 0u) << "a message after the close is no skip";
  EXPECT_EQ(drain(queue), (std::vector<std::string>{"before\n"}));
}

TEST(OutgoingQueue, AnAbandonedQueueDropsEverything) {
  OutgoingQueue queue(256, 1 << 20);
  for (int i = 0; i < 5; ++i) queue.push(text("x"));
  queue.abandon();
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.messages(), 0u);
  EXPECT_EQ(queue.bytes(), 0u);
  EXPECT_FALSE(queue.push(text("y")));
  EXPECT_TRUE(queue.empty());
}

TEST(OutgoingQueue, StaysBoundedThroughALongRunOfPushesAndWrites) {
  // A slow writer that takes 3 entries for every 10 pushes: at most 8 messages ever wait, every
  // message is written or counted skipped, and what is written keeps its order.
  OutgoingQueue queue(8, 1 << 20);
  std::size_t written = 0;
  std::size_t noticed = 0;
  int last = -1;
  for (int i = 0; i < 10000; ++i) {
    queue.push(text(std::to_string(i)));
    ASSERT_LE(queue.messages(), 8u);
    if (i % 10 == 9) {
      for (const Outgoing& entry : queue.start_writing(3, 1 << 20)) {
        if (entry.message) {
          const int n = std::stoi(*entry.message);
          ASSERT_GT(n, last);
          last = n;
          ++written;
        } else {
          noticed += entry.skipped;
        }
      }
      queue.written();
    }
  }
  for (const auto& rest : drain(queue)) {
    if (rest.starts_with("(")) {
      noticed += std::stoul(rest.substr(1));
    } else {
      ++written;
    }
  }
  EXPECT_EQ(written + noticed, 10000u);
  EXPECT_EQ(noticed, queue.skipped());
}

}  // namespace
}  // namespace gonet
