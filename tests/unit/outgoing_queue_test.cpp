#include "servers/chat/client/outgoing_queue.hpp"

#include <array>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/unit/chat_lines.hpp"

namespace gonet {
namespace {

// A round's lines back to back, and where each ends.
struct Round {
  explicit Round(const std::vector<std::string>& lines) {
    std::string all;
    for (const std::string& line : lines) {
      all += line + "\n";
      ends.push_back(all.size());
    }
    text = std::make_shared<const std::string>(all);
  }
  LineRun lines(std::size_t first, std::size_t last) const { return {text, ends, first, last}; }
  Message text;
  std::vector<std::size_t> ends;
};

// What gather() offers now, as one string, and how many buffers it took.
std::string gathered(OutgoingQueue& queue, std::size_t max = 1024, std::size_t* count = nullptr) {
  std::vector<asio::const_buffer> buffers(max);
  const std::size_t n = queue.gather(buffers);
  if (count != nullptr) *count = n;
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out.append(static_cast<const char*>(buffers[i].data()), buffers[i].size());
  }
  return out;
}

// What a client would read if everything went out now, taken out of the queue.
std::string drain(OutgoingQueue& queue) {
  std::string out;
  while (!queue.empty()) {
    const std::string part = gathered(queue);
    out += part;
    queue.consume(part.size());
  }
  return out;
}

TEST(OutgoingQueue, KeepsMessagesInTheOrderTheyCame) {
  OutgoingQueue queue(256, 1 << 20);
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(queue.push(text(std::to_string(i))));
    expected += std::to_string(i) + "\n";
  }
  EXPECT_EQ(drain(queue), expected);
  EXPECT_EQ(queue.messages(), 0u);
  EXPECT_EQ(queue.bytes(), 0u);
}

// A message of no bytes would have a send write nothing, and a flush that counts on the socket
// taking what it gathered would try again for ever: none is queued.
TEST(OutgoingQueue, QueuesNoMessageOfNoBytes) {
  OutgoingQueue queue(256, 1 << 20);
  EXPECT_TRUE(queue.push(std::make_shared<const std::string>()));
  EXPECT_TRUE(queue.empty());
  queue.push(text("a"));
  queue.push(std::make_shared<const std::string>());
  queue.push(text("b"));
  EXPECT_EQ(queue.messages(), 2u);
  EXPECT_EQ(drain(queue), "a\nb\n");
}

TEST(OutgoingQueue, HoldsAtMostQueueMessagesAndSaysHowManyItSkippedWhereTheyWere) {
  OutgoingQueue queue(3, 1 << 20);
  for (int i = 0; i < 10; ++i) queue.push(text(std::to_string(i)));
  EXPECT_EQ(queue.messages(), 3u);
  EXPECT_EQ(queue.skipped(), 7u);
  EXPECT_EQ(drain(queue), "0\n1\n2\n(7 messages skipped)\n");
  // Caught up: the next messages come after the notice.
  EXPECT_TRUE(queue.push(text("10")));
  EXPECT_EQ(drain(queue), "10\n");
}

TEST(OutgoingQueue, HoldsAtMostItsBytes) {
  OutgoingQueue queue(256, 100);
  const std::string line(39, 'x');  // 40 bytes with its newline
  EXPECT_TRUE(queue.push(text(line)));
  EXPECT_TRUE(queue.has_room_for(text(line)));
  EXPECT_TRUE(queue.push(text(line)));
  EXPECT_FALSE(queue.has_room_for(text(line)));
  EXPECT_FALSE(queue.push(text(line))) << "120 bytes would be over 100";
  EXPECT_TRUE(queue.push(text("short"))) << "a message that fits still goes in";
  EXPECT_EQ(queue.bytes(), 86u);
  EXPECT_EQ(drain(queue), line + "\n" + line + "\n(1 messages skipped)\nshort\n");
}

TEST(OutgoingQueue, TakesAMessageBiggerThanItsBytesWhenEmpty) {
  OutgoingQueue queue(256, 10);
  EXPECT_TRUE(queue.push(text(std::string(50, 'y'))));
  EXPECT_FALSE(queue.push(text("z")));
  EXPECT_EQ(drain(queue), std::string(50, 'y') + "\n(1 messages skipped)\n");
}

TEST(OutgoingQueue, GathersEverythingThatWaitsAtMostTheBuffersGiven) {
  OutgoingQueue queue(256, 1 << 20);
  for (int i = 0; i < 10; ++i) queue.push(text(std::string(9, 'a' + i)));  // 10 bytes each
  std::size_t count = 0;
  EXPECT_EQ(gathered(queue, 1024, &count).size(), 100u);
  EXPECT_EQ(count, 10u);
  EXPECT_EQ(gathered(queue, 4, &count), "aaaaaaaaa\nbbbbbbbbb\nccccccccc\nddddddddd\n");
  EXPECT_EQ(count, 4u);
  EXPECT_EQ(queue.messages(), 10u) << "gathering takes nothing out";
}

TEST(OutgoingQueue, ResumesAPartialWriteInsideALine) {
  OutgoingQueue queue(256, 1 << 20);
  queue.push(text("partly sent"));
  queue.push(text("next"));
  queue.consume(6);
  EXPECT_EQ(queue.messages(), 2u) << "a message partly written still counts";
  EXPECT_EQ(gathered(queue), " sent\nnext\n");
  queue.consume(9);
  EXPECT_EQ(gathered(queue), "t\n");
  EXPECT_EQ(queue.messages(), 1u);
  queue.consume(2);
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(OutgoingQueue, CountsAMessagePartlyWrittenAgainstTheBounds) {
  OutgoingQueue queue(2, 1 << 20);
  queue.push(text("a"));
  queue.push(text("b"));
  ASSERT_EQ(gathered(queue), "a\nb\n");
  queue.consume(3);  // "a" and half of "b"
  EXPECT_TRUE(queue.push(text("c")));
  EXPECT_FALSE(queue.push(text("d"))) << "b is still being written";
  EXPECT_EQ(drain(queue), "\nc\n(1 messages skipped)\n");
}

TEST(OutgoingQueue, AGatheredNoticeCountsNoMoreSkips) {
  OutgoingQueue queue(1, 1 << 20);
  queue.push(text("a"));
  queue.push(text("b"));  // skipped: a notice of 1
  ASSERT_EQ(gathered(queue), "a\n(1 messages skipped)\n");
  EXPECT_FALSE(queue.push(text("c")));  // "a" still counts: skipped, in a notice of its own
  queue.consume(2);                     // "a" went out; the first notice has not
  EXPECT_EQ(drain(queue), "(1 messages skipped)\n(1 messages skipped)\n");
  EXPECT_EQ(queue.skipped(), 2u);
}

TEST(OutgoingQueue, SkipsInARowShareOneNotice) {
  OutgoingQueue queue(1, 1 << 20);
  queue.push(text("a"));
  for (int i = 0; i < 5; ++i) queue.push(text("x"));
  EXPECT_EQ(drain(queue), "a\n(5 messages skipped)\n");
}

TEST(OutgoingQueue, AClosedQueueKeepsWhatItHoldsAndTakesNothingMore) {
  OutgoingQueue queue(256, 1 << 20);
  queue.push(text("before"));
  queue.close();
  EXPECT_TRUE(queue.closed());
  EXPECT_FALSE(queue.accepting());
  EXPECT_FALSE(queue.push(text("after")));
  EXPECT_EQ(queue.skipped(), 0u) << "a message after the close is no skip";
  EXPECT_EQ(drain(queue), "before\n");
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

TEST(OutgoingQueue, StaysBoundedThroughALongRunOfPushesAndPartialWrites) {
  // A slow socket that takes 7 bytes for every 10 pushes: at most 8 messages ever wait, every
  // message is written or counted skipped, and what is written keeps its order, lines whole.
  OutgoingQueue queue(8, 1 << 20);
  std::string out;
  for (int i = 0; i < 10000; ++i) {
    queue.push(text(std::to_string(i)));
    ASSERT_LE(queue.messages(), 8u);
    if (i % 10 == 9) {
      const std::string offered = gathered(queue);
      const std::size_t taken = std::min<std::size_t>(7, offered.size());
      out += offered.substr(0, taken);
      queue.consume(taken);
    }
  }
  out += drain(queue);
  std::size_t written = 0;
  std::size_t noticed = 0;
  int last = -1;
  for (std::size_t start = 0, end; (end = out.find('\n', start)) != std::string::npos;
       start = end + 1) {
    const std::string line = out.substr(start, end - start);
    if (line.starts_with("(")) {
      noticed += std::stoul(line.substr(1));
      continue;
    }
    const int n = std::stoi(line);
    ASSERT_GT(n, last);
    last = n;
    ++written;
  }
  EXPECT_EQ(written + noticed, 10000u);
  EXPECT_EQ(noticed, queue.skipped());
}

TEST(OutgoingQueue, TakesARoundsLinesAsOneEntryCountingEachLine) {
  OutgoingQueue queue(256, 1 << 20);
  const Round round({"a", "bb", "ccc", "dddd"});
  EXPECT_TRUE(queue.has_room_for(round.lines(1, 4)));
  EXPECT_EQ(queue.push(round.lines(1, 4)), 3u);
  EXPECT_EQ(queue.messages(), 3u);
  EXPECT_EQ(queue.bytes(), 12u);
  std::size_t count = 0;
  EXPECT_EQ(gathered(queue, 1024, &count), "bb\nccc\ndddd\n");
  EXPECT_EQ(count, 1u) << "one buffer for the whole run";
  queue.consume(4);  // "bb\nc": a line and a part
  EXPECT_EQ(queue.messages(), 3u) << "the entry counts until it is all written";
  EXPECT_EQ(drain(queue), "cc\ndddd\n");
  EXPECT_EQ(queue.messages(), 0u);
  EXPECT_EQ(queue.bytes(), 0u);
}

TEST(OutgoingQueue, TakesTheLinesOfARunThatFitAndLeavesTheRestToSkip) {
  OutgoingQueue by_count(3, 1 << 20);
  const Round round({"0", "1", "2", "3", "4", "5"});
  by_count.push(text("x"));
  EXPECT_FALSE(by_count.has_room_for(round.lines(0, 6)));
  EXPECT_EQ(by_count.push(round.lines(0, 6)), 2u) << "three messages at most";
  by_count.skip(4);
  EXPECT_EQ(by_count.skipped(), 4u);
  EXPECT_EQ(drain(by_count), "x\n0\n1\n(4 messages skipped)\n");

  OutgoingQueue by_bytes(256, 7);
  EXPECT_EQ(by_bytes.push(round.lines(2, 6)), 3u) << "six bytes of seven";
  EXPECT_EQ(by_bytes.push(round.lines(5, 6)), 0u);
  EXPECT_EQ(drain(by_bytes), "2\n3\n4\n");

  OutgoingQueue tiny(256, 1);
  EXPECT_EQ(tiny.push(round.lines(0, 6)), 1u) << "the first line always fits an empty queue";
}

TEST(OutgoingQueue, AFewLinesOfABigRoundDoNotKeepTheRoundAlive) {
  // What a client's queue holds of shared rounds stays within twice its own bytes: a part of
  // under half a round is copied out of it.
  OutgoingQueue queue(256, 1 << 20);
  std::vector<std::string> lines;
  for (int i = 0; i < 100; ++i) lines.push_back(std::string(99, 'a'));
  const Round round(lines);
  EXPECT_EQ(queue.push(round.lines(90, 100)), 10u);
  EXPECT_EQ(round.text.use_count(), 1) << "the queue holds a copy of its ten lines";
  EXPECT_EQ(queue.push(round.lines(0, 60)), 60u);
  EXPECT_EQ(round.text.use_count(), 2) << "more than half of it is shared, not copied";
  std::string seventy;
  for (int i = 0; i < 70; ++i) seventy += lines[0] + "\n";
  EXPECT_EQ(drain(queue), seventy);
}

TEST(OutgoingQueue, SkipsNothingOnceClosed) {
  OutgoingQueue queue(1, 1 << 20);
  queue.push(text("a"));
  queue.close();
  queue.skip(5);
  EXPECT_EQ(queue.skipped(), 0u);
  EXPECT_EQ(drain(queue), "a\n");
}

}  // namespace
}  // namespace gonet
