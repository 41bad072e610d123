// Token bucket arithmetic.
#include "limits/rate_limiter.hpp"

#include <cmath>

namespace sealpost::limits {

rate_limiter::rate_limiter(std::string name, std::uint64_t burst, std::uint64_t per_minute,
                           std::function<void()> on_refusal)
    : name_(std::move(name)),
      on_refusal_(std::move(on_refusal)),
      burst_(static_cast<double>(burst)),
      per_second_(static_cast<double>(per_minute) / 60.0) {}

void rate_limiter::refill(bucket& b, clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  if (elapsed > 0) {
    b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
    b.updated = now;
  }
}

void rate_limiter::sweep(clock::time_point now) {
  // A bucket that has refilled completely carries no information: drop it.
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    refill(it->second, now);
    it = it->second.tokens >= burst_ ? buckets_.erase(it) : std::next(it);
  }
  sweep_at_ = std::max<std::size_t>(4096, buckets_.size() * 2);
}

std::optional<std::chrono::seconds> rate_limiter::take(const std::string& key, clock::time_point now,
                                                        bool consume) {
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= sweep_at_) sweep(now);
  auto [it, inserted] = buckets_.try_emplace(key, bucket{burst_, now});
  bucket& b = it->second;
  refill(b, now);
  if (b.tokens >= 1.0) {
    if (consume) b.tokens -= 1.0;
    return std::nullopt;
  }
  const double wait = (1.0 - b.tokens) / per_second_;
  return std::chrono::seconds(static_cast<std::int64_t>(std::ceil(wait)));
}

std::optional<std::chrono::seconds> rate_limiter::acquire(const std::string& key, clock::time_point now) {
  auto wait = take(key, now, true);
  if (wait && on_refusal_) on_refusal_();
  return wait;
}

std::optional<std::chrono::seconds> rate_limiter::check(const std::string& key, clock::time_point now) {
  auto wait = take(key, now, false);
  if (wait && on_refusal_) on_refusal_();
  return wait;
}

}  // namespace sealpost::limits
