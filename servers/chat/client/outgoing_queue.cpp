#include "servers/chat/client/outgoing_queue.hpp"

#include <algorithm>

namespace gonet {

bool OutgoingQueue::has_room_for(const Message& message) const {
  return messages_ == 0 || (messages_ < max_messages_ && bytes_ + message->size() <= max_bytes_);
}

bool OutgoingQueue::has_room_for(const LineRun& run) const {
  const std::size_t bytes = run.ends[run.last - 1] - run.begin();
  return (messages_ == 0 && run.lines() == 1) ||
         (messages_ + run.lines() <= max_messages_ && bytes_ + bytes <= max_bytes_);
}

bool OutgoingQueue::push(Message message) {
  // Nothing to send: a message of no bytes is never queued, so no send is ever asked to write
  // nothing (and a writer never waits on a socket for a write of zero bytes).
  if (!accepting() || message->empty()) return accepting();
  const std::size_t end = message->size();
  if (push(LineRun{std::move(message), std::span(&end, 1), 0, 1}) == 1) return true;
  skip(1);
  return false;
}

std::size_t OutgoingQueue::push(const LineRun& run) {
  if (!accepting() || run.lines() == 0) return 0;
  const std::size_t begin = run.begin();
  // The first line always fits an empty queue; after it, lines while both bounds hold.
  std::size_t fit = messages_ == 0 ? 1 : 0;
  const std::size_t held = messages_ + fit;
  const std::size_t most =
      std::min(run.lines(), fit + (max_messages_ > held ? max_messages_ - held : 0));
  if (most > fit) {
    const std::size_t room = max_bytes_ > bytes_ ? max_bytes_ - bytes_ : 0;
    const auto from = run.ends.begin() + static_cast<std::ptrdiff_t>(run.first);
    fit = static_cast<std::size_t>(std::upper_bound(from + static_cast<std::ptrdiff_t>(fit),
                                                    from + static_cast<std::ptrdiff_t>(most),
                                                    begin + room) -
                                   from);
  }
  if (fit > 0) {
    Entry entry{run.text, begin, run.ends[run.first + fit - 1], fit, 0};
    if (entry.size() * 2 < run.text->size()) {
      entry.text = std::make_shared<const std::string>(*run.text, entry.begin, entry.size());
      entry.begin = 0;
      entry.end = entry.text->size();
    }
    messages_ += fit;
    bytes_ += entry.size();
    most_bytes_ = std::max(most_bytes_, bytes_);
    entries_.push_back(std::move(entry));
  }
  return fit;
}

void OutgoingQueue::skip(std::size_t messages) {
  if (!accepting() || messages == 0) return;
  skipped_ += messages;
  // Skips in a row share one notice, unless it has been gathered for writing.
  if (!empty() && !entries_.back().text && entries_.back().skipped > 0) {
    entries_.back().skipped += messages;
  } else {
    entries_.push_back(Entry{nullptr, 0, 0, 0, messages});
  }
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
    if (!entry.text) {
      entry.text = make_message(wire::skipped(entry.skipped));
      entry.end = entry.text->size();
    }
    out[n] =
        asio::buffer(entry.text->data() + entry.begin, entry.size()) + (i == head_ ? written_ : 0);
  }
  return n;
}

void OutgoingQueue::consume(std::size_t bytes) {
  // Also with `bytes` 0: an entry with nothing left to write is gone (none should be queued).
  while (!empty()) {
    Entry& entry = entries_[head_];
    const std::size_t left = entry.size() - written_;
    if (bytes < left) {
      written_ += bytes;
      return;
    }
    bytes -= left;
    if (entry.skipped == 0) {
      messages_ -= entry.lines;
      bytes_ -= entry.size();
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

namespace wire {

std::string skipped(std::size_t count) {
  // Appended, not "(" + ...: g++ 12 at -O3 warns falsely (-Wrestrict) of operator+(const char*,
  // string&&).
  std::string line = "(";
  line.append(std::to_string(count)).append(" messages skipped)\n");
  return line;
}

}  // namespace wire

}  // namespace gonet
