#include "servers/chat/outgoing_queue.hpp"

namespace gonet {

bool OutgoingQueue::push(Message message) {
  if (closed_ || abandoned_) return false;
  const bool fits =
      messages_ == 0 || (messages_ < max_messages_ && bytes_ + message->size() <= max_bytes_);
  if (!fits) {
    ++skipped_;
    // Skips in a row share one notice, unless it is already being written.
    if (entries_.size() > head_ + writing_ && !entries_.back().message) {
      ++entries_.back().skipped;
    } else {
      entries_.push_back(Outgoing{nullptr, 1});
    }
    return false;
  }
  push_always(std::move(message));
  return true;
}

void OutgoingQueue::push_always(Message message) {
  if (closed_ || abandoned_) return;
  ++messages_;
  bytes_ += message->size();
  entries_.push_back(Outgoing{std::move(message), 0});
}

void OutgoingQueue::push_rest(Message message, std::size_t sent) {
  push_always(std::move(message));
  if (!entries_.empty() && entries_.back().message) entries_.back().sent = sent;
}

void OutgoingQueue::abandon() {
  abandoned_ = true;
  entries_.clear();
  entries_.shrink_to_fit();
  head_ = writing_ = messages_ = bytes_ = 0;
}

std::span<const Outgoing> OutgoingQueue::start_writing(std::size_t max_entries,
                                                       std::size_t max_bytes) {
  written();  // in case the last batch was not marked
  std::size_t bytes = 0;
  std::size_t n = 0;
  while (head_ + n < entries_.size() && n < max_entries) {
    const Outgoing& next = entries_[head_ + n];
    const std::size_t size = next.message ? next.message->size() : 32;
    if (n > 0 && bytes + size > max_bytes) break;
    bytes += size;
    ++n;
  }
  writing_ = n;
  return {entries_.data() + head_, n};
}

void OutgoingQueue::written() {
  for (std::size_t i = 0; i < writing_; ++i) {
    Outgoing& done = entries_[head_ + i];
    if (done.message) {
      --messages_;
      bytes_ -= done.message->size();
    }
    done = Outgoing{};
  }
  head_ += writing_;
  writing_ = 0;
  if (head_ == entries_.size()) {
    entries_.clear();
    head_ = 0;
    // A burst's worth of room is given back once the client has caught up.
    if (entries_.capacity() > 64) entries_.shrink_to_fit();
  } else if (head_ >= 64 && head_ * 2 >= entries_.size()) {
    entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

}  // namespace gonet
