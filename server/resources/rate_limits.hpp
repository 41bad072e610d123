// Rate-limit checks for handlers: a refused request becomes 429 rate_limited with Retry-After.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "limits/rate_limiter.hpp"

namespace sealpost::resources {

// Takes a token from `limiter` for `key`; throws request_error 429 with Retry-After when it
// has none.
void enforce(limits::rate_limiter& limiter, const std::string& key);

// The same for several limits at once: a token is taken from each only when all have one,
// so a request refused by one limit does not use up the others.
void enforce_all(std::initializer_list<std::pair<limits::rate_limiter*, std::string>> limits);

}  // namespace sealpost::resources
