#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace gonet {

// One line of the chat, its "\n" included, shared by every client's queue it waits in: a
// broadcast to a thousand clients costs one copy of the text, not a thousand.
using Message = std::shared_ptr<const std::string>;

// What waits to be written to a client: a message, or in place of messages that did not fit, how
// many were skipped there.
struct Outgoing {
  Message message;          // null for a skipped notice
  std::size_t skipped = 0;  // for a skipped notice
  std::size_t sent = 0;     // bytes of the message already sent, before it was queued
};

// A client's outgoing queue, the book's `ch` made bounded (exercise 8.15): the broadcaster puts
// messages in and never waits; the client's writer takes them out. At most `max_messages`
// messages and `max_bytes` bytes of them wait, those being written included (a single message
// bigger than `max_bytes` still fits an empty queue). A message that does not fit is dropped for
// this client alone and counted in a notice that takes its place, so the client learns, when it
// catches up, where and how many it missed; every client still sees the messages it gets in the
// one order the broadcaster sent them.
class OutgoingQueue {
 public:
  OutgoingQueue(std::size_t max_messages, std::size_t max_bytes)
      : max_messages_(max_messages), max_bytes_(max_bytes) {}

  // Queues `message`, or counts it skipped and returns false. After close() or abandon(), drops
  // it without a count.
  bool push(Message message);
  // A line of the server's own (a prompt), queued whatever the bounds: the client gets it.
  void push_always(Message message);
  // The rest of a message whose first `sent` bytes went straight to the client while the queue
  // was idle; it goes out first.
  void push_rest(Message message, std::size_t sent);

  // Nothing more comes in; what is queued still goes out.
  void close() { closed_ = true; }
  bool closed() const { return closed_; }
  // Neither closed nor abandoned: a push may still be queued.
  bool accepting() const { return !closed_ && !abandoned_; }

  // The client can take no more (its writes failed): everything queued is dropped, and so is
  // whatever comes later.
  void abandon();

  // The writer's side: the entries at the front, at most `max_entries` and, past the first, at
  // most `max_bytes` in all, are now being written. They count against the bounds until
  // written(), and a notice among them counts no more skips: later ones get a notice of their own.
  // The span lasts until the next push; the text of its messages stays put until written().
  std::span<const Outgoing> start_writing(std::size_t max_entries, std::size_t max_bytes);
  // The entries of the last start_writing() have gone out.
  void written();

  // Nothing waits, apart from what is being written.
  bool empty() const { return entries_.size() == head_ + writing_; }
  // Nothing waits and nothing is being written: a message may go straight to the client.
  bool idle() const { return entries_.size() == head_; }
  std::size_t messages() const { return messages_; }
  std::size_t bytes() const { return bytes_; }
  // Messages dropped for this client so far.
  std::size_t skipped() const { return skipped_; }

 private:
  std::size_t max_messages_;
  std::size_t max_bytes_;
  std::vector<Outgoing> entries_;  // entries_[head_] is the next to go out
  std::size_t head_ = 0;
  std::size_t writing_ = 0;  // entries from head_ being written
  std::size_t messages_ = 0;
  std::size_t bytes_ = 0;
  std::size_t skipped_ = 0;
  bool closed_ = false;
  bool abandoned_ = false;
};

}  // namespace gonet
