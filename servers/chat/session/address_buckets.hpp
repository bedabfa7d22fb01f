#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <asio/ip/address.hpp>

#include "servers/chat/session/token_bucket.hpp"

namespace gonet {

// chat's -rate buckets, one per client address: every connection from an address draws on the
// one bucket, and a connection that comes after the last one ended finds what that one left, so
// that closing and connecting again fills nothing. A bucket is forgotten once nobody holds it and
// it is full again (at most burst / rate seconds after its last line): a fresh one is the same.
// Shared by every event loop.
class AddressBuckets {
 public:
  using Clock = TokenBucket::Clock;

  // `rate` lines a second, in bursts of `burst`; rate 0 is no limit.
  AddressBuckets(unsigned rate, unsigned burst) : rate_(rate), burst_(burst) {}
  AddressBuckets(const AddressBuckets&) = delete;
  AddressBuckets& operator=(const AddressBuckets&) = delete;

  // One connection's share of its address's bucket, for as long as the connection lasts.
  class Hold {
   public:
    Hold() = default;
    Hold(Hold&& other) noexcept = default;
    Hold& operator=(Hold&& other) noexcept;
    ~Hold();

    // Takes a token and returns zero if there is one; else returns how long until there is.
    // Always zero without a limit.
    std::chrono::nanoseconds take(Clock::time_point now);

   private:
    friend class AddressBuckets;
    struct Bucket;
    Hold(AddressBuckets& owner, std::shared_ptr<Bucket> bucket)
        : owner_(&owner), bucket_(std::move(bucket)) {}
    void release();

    AddressBuckets* owner_ = nullptr;
    std::shared_ptr<Bucket> bucket_;
  };

  Hold hold(const asio::ip::address& address, Clock::time_point now);

  // Addresses remembered now, held or not.
  std::size_t size() const;

 private:
  void release(Hold::Bucket& bucket);
  // Forgets the buckets nobody holds that are full.
  void forget_full(Clock::time_point now);

  const unsigned rate_;
  const unsigned burst_;
  mutable std::mutex mutex_;
  std::unordered_map<asio::ip::address, std::shared_ptr<Hold::Bucket>> buckets_;
  // Forgetting walks every bucket: it is done when the map has doubled since the last time, so
  // it costs each new address a constant share, and the map holds at most about twice the
  // addresses with a line in the last burst / rate seconds.
  std::size_t forget_at_ = 1024;
};

}  // namespace gonet
