#include "servers/chat/session/address_buckets.hpp"

#include <algorithm>
#include <utility>

namespace gonet {

struct AddressBuckets::Hold::Bucket {
  Bucket(unsigned rate, unsigned burst, Clock::time_point now) : tokens(rate, burst, now) {}

  std::mutex mutex;  // its connections may be on several event loops
  TokenBucket tokens;
  std::size_t holders = 0;  // the registry's, under its lock
};

AddressBuckets::Hold& AddressBuckets::Hold::operator=(Hold&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    bucket_ = std::move(other.bucket_);
  }
  return *this;
}

AddressBuckets::Hold::~Hold() { release(); }

void AddressBuckets::Hold::release() {
  if (owner_ != nullptr && bucket_) owner_->release(*bucket_);
  owner_ = nullptr;
  bucket_.reset();
}

std::chrono::nanoseconds AddressBuckets::Hold::take(Clock::time_point now) {
  if (!bucket_) return std::chrono::nanoseconds::zero();
  const std::lock_guard lock(bucket_->mutex);
  return bucket_->tokens.take(now);
}

AddressBuckets::Hold AddressBuckets::hold(const asio::ip::address& address, Clock::time_point now) {
  if (rate_ == 0) return Hold();
  const std::lock_guard lock(mutex_);
  if (buckets_.size() >= forget_at_) forget_full(now);
  auto& bucket = buckets_[address];
  if (!bucket) bucket = std::make_shared<Hold::Bucket>(rate_, burst_, now);
  ++bucket->holders;
  return Hold(*this, bucket);
}

void AddressBuckets::release(Hold::Bucket& bucket) {
  const std::lock_guard lock(mutex_);
  --bucket.holders;
}

void AddressBuckets::forget_full(Clock::time_point now) {
  // A bucket nobody holds is taken from by nobody: its state is read here without its lock.
  std::erase_if(buckets_, [&](const auto& entry) {
    const Hold::Bucket& bucket = *entry.second;
    return bucket.holders == 0 && bucket.tokens.full(now);
  });
  forget_at_ = std::max<std::size_t>(1024, 2 * buckets_.size());
}

std::size_t AddressBuckets::size() const {
  const std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace gonet
