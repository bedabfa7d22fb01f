#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <asio/buffer.hpp>

namespace gonet {

// One line of the chat, its "\n" included, shared by every client's queue it waits in: a
// broadcast to a thousand clients costs one copy of the text, not a thousand.
using Message = std::shared_ptr<const std::string>;

inline Message make_message(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

namespace wire {
// "(N messages skipped)\n": where messages were dropped for a client too slow to take them
// (exercise 8.15), and where frames of a room across servers never came.
std::string skipped(std::size_t count);
}  // namespace wire

// Lines [first, last) of a round's text, which holds every line of the round back to back, line
// i ending at byte ends[i]: what one client gets of a round, one entry in its queue however many
// lines it holds, so that a round of many lines costs each client one push, not one per line.
struct LineRun {
  Message text;
  std::span<const std::size_t> ends;
  std::size_t first = 0;
  std::size_t last = 0;

  std::size_t lines() const { return last - first; }
  std::size_t begin() const { return first == 0 ? 0 : ends[first - 1]; }
};

// A client's outgoing queue, the book's `ch` made bounded (exercise 8.15): the event loop puts
// messages in and never waits; whoever writes to the client takes them out, as many at once as
// the socket takes. At most `max_messages` messages and `max_bytes` bytes of them wait, a message
// partly written included (a single message bigger than `max_bytes` still fits an empty queue).
// A message that does not fit is dropped for this client alone and counted in a notice that
// takes its place, so the client learns, when it catches up, where and how many it missed; every
// client still sees the messages it gets in the one order they were pushed.
class OutgoingQueue {
 public:
  OutgoingQueue(std::size_t max_messages, std::size_t max_bytes)
      : max_messages_(max_messages), max_bytes_(max_bytes) {}

  // Whether push(message) would queue it now.
  bool has_room_for(const Message& message) const;
  // Whether push(run) would queue all of it now.
  bool has_room_for(const LineRun& run) const;
  // Queues `message`, or counts it skipped and returns false. After close() or abandon(), drops
  // it without a count.
  bool push(Message message);
  // Queues as many of the run's first lines as fit, in one entry, and returns how many: the rest
  // are the caller's, to push once there is room or to skip(). An entry that would keep less than
  // half of a text alive holds a copy of its lines instead: what waits for a client stays within
  // twice its bounds, however the rounds it shares are made.
  std::size_t push(const LineRun& run);
  // Counts `messages` skipped here, in the notice that takes their place (none once closed).
  void skip(std::size_t messages);

  // Nothing more comes in; what is queued still goes out.
  void close() { closed_ = true; }
  bool closed() const { return closed_; }
  // Neither closed nor abandoned: a push may still be queued.
  bool accepting() const { return !closed_ && !abandoned_; }
  // The client can take no more (its writes failed): everything queued is dropped, and so is
  // whatever comes later.
  void abandon();

  // The writing side. What waits, in order, as at most `out.size()` buffers, the first starting
  // where the last write stopped; returns how many it filled. A skipped notice among them counts
  // no more skips (later ones get a notice of their own). The buffers' bytes stay put until
  // consume() has passed them, whatever is pushed meanwhile.
  std::size_t gather(std::span<asio::const_buffer> out);
  // The first `bytes` of what gather() returned have been written.
  void consume(std::size_t bytes);

  bool empty() const { return head_ == entries_.size(); }
  std::size_t messages() const { return messages_; }
  std::size_t bytes() const { return bytes_; }
  // The most bytes that ever waited at once.
  std::size_t most_bytes() const { return most_bytes_; }
  // Messages dropped for this client so far.
  std::size_t skipped() const { return skipped_; }

 private:
  // Messages, bytes [begin, end) of `text` (`lines` of them), or a notice of `skipped` messages
  // dropped there (its text made once it is gathered).
  struct Entry {
    Message text;
    std::size_t begin = 0;
    std::size_t end = 0;
    std::size_t lines = 0;
    std::size_t skipped = 0;

    std::size_t size() const { return end - begin; }
  };

  std::size_t max_messages_;
  std::size_t max_bytes_;
  std::vector<Entry> entries_;  // entries_[head_] is the next to go out
  std::size_t head_ = 0;
  std::size_t written_ = 0;  // bytes of entries_[head_] already written
  std::size_t messages_ = 0;
  std::size_t bytes_ = 0;
  std::size_t most_bytes_ = 0;
  std::size_t skipped_ = 0;
  bool closed_ = false;
  bool abandoned_ = false;
};

}  // namespace gonet
