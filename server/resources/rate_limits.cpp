// The one place a rate limiter's refusal is turned into the API's 429 answer.
#include "resources/rate_limits.hpp"

#include "net/request_error.hpp"

namespace sealpost::resources {
namespace {

[[noreturn]] void rate_limited(const limits::rate_limiter& limiter, std::chrono::seconds wait) {
  net::api_error err{net::api_errc::too_many_requests, "rate_limited",
                     "rate limit '" + limiter.name() + "' exceeded; retry later"};
  err.retry_after = wait;
  throw net::request_error(std::move(err));
}

}  // namespace

void enforce(limits::rate_limiter& limiter, const std::string& key) {
  if (auto wait = limiter.acquire(key))
    rate_limited(limiter, *wait);
}

void enforce_all(std::initializer_list<std::pair<limits::rate_limiter*, std::string>> limits) {
  for (const auto& [limiter, key] : limits) {
    if (auto wait = limiter->check(key))
      rate_limited(*limiter, *wait);
  }
  for (const auto& [limiter, key] : limits)
    enforce(*limiter, key);
}

}  // namespace sealpost::resources
