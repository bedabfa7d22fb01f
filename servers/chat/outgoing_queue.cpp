#include "servers/chat/outgoing_queue.hpp"

#include <algorithm>

#include "servers/chat/wire.hpp"

namespace gonet {

bool OutgoingQueue::has_room_for(const Message& message) const {
  return messages_ == 0 || (messages_ < max_messages_ && bytes_ + message->size() <= max_bytes_);
}

bool OutgoingQueue::push(Message message) {
  if (!accepting()) return false;
  // Nothing to send: a message of no bytes is never queued, so no send is ever asked to write
  // nothing (and a writer never waits on a socket for a write of zero bytes).
  if (message->empty()) return true;
  if (!has_room_for(message)) {
    ++skipped_;
    // Skips in a row share one notice, unless it has been gathered for writing.
    if (!empty() && !entries_.back().text && entries_.back().skipped > 0) {
      ++entries_.back().skipped;
    } else {
      entries_.push_back(Entry{nullptr, 1});
    }
    return false;
  }
  ++messages_;
  bytes_ += message->size();
  most_bytes_ = std::max(most_bytes_, bytes_);
  entries_.push_back(Entry{std::move(message), 0});
  return true;
}

void OutgoingQueue::abandon() {
  abandoned_ = true;
  entries_.clear();
  entries_.shrink_to_fit();
  head_ = written_ = messages_ = bytes_ = 0;
}

std::size_t OutgoingQueue::gather(std::span<asio::const_buffer> out) {
  std::size_t n = 0;
  for (std::size_t i = head_; i < entries_.size() && n < out.size(); ++i, ++n) {
    Entry& entry = entries_[i];
    if (!entry.text) entry.text = std::make_shared<const std::string>(wire::skipped(entry.skipped));
    out[n] = asio::buffer(*entry.text) + (i == head_ ? written_ : 0);
  }
  return n;
}

void OutgoingQueue::consume(std::size_t bytes) {
  // Also with `bytes` 0: an entry with nothing left to write is gone (none should be queued).
  while (!empty()) {
    Entry& entry = entries_[head_];
    const std::size_t left = entry.text->size() - written_;
    if (bytes < left) {
      written_ += bytes;
      return;
    }
    bytes -= left;
    if (entry.skipped == 0) {
      --messages_;
      bytes_ -= entry.text->size();
    }
    entry = Entry{};
    ++head_;
    written_ = 0;
  }
  if (empty()) {
    entries_.clear();
    head_ = 0;
    // Every message passes through here, so a crowd of idle clients would each keep the room
    // of their busiest round: give back all but a round's usual few once the client has caught up.
    if (entries_.capacity() > 4) entries_.shrink_to_fit();
  } else if (head_ >= 64 && head_ * 2 >= entries_.size()) {
    entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

}  // namespace gonet
