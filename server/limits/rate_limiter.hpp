// In-process token buckets keyed by a string (an IP, a device, a pair). Per node, as the
// design says; bounded memory: idle full buckets are swept when the table grows.
#pragma once

#include <chrono>
#include <functional>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace sealpost::limits {

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;

  // `refusals` (optional) is incremented for every refused acquire.
  rate_limiter(std::string name, std::uint64_t burst, std::uint64_t per_minute,
               std::function<void()> on_refusal = {});

  // Takes one token for `key`. nullopt: allowed. Otherwise: how long until a token is free
  // (for Retry-After).
  std::optional<std::chrono::seconds> acquire(const std::string& key, clock::time_point now = clock::now());

  // Whether `key` has a token, without taking it.
  std::optional<std::chrono::seconds> check(const std::string& key, clock::time_point now = clock::now());

  const std::string& name() const { return name_; }

 private:
  struct bucket {
    double tokens;
    clock::time_point updated;
  };
  std::optional<std::chrono::seconds> take(const std::string& key, clock::time_point now, bool consume);
  void refill(bucket& b, clock::time_point now) const;
  void sweep(clock::time_point now);

  std::string name_;
  std::function<void()> on_refusal_;
  double burst_;
  double per_second_;
  std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;
  std::size_t sweep_at_ = 4096;
};

}  // namespace sealpost::limits
