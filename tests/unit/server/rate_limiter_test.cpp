// Token buckets: burst, refill over injected time points (no sleeping), check() versus
// acquire(), the Retry-After wait, and independence of keys.
#include "limits/rate_limiter.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

using sealpost::limits::rate_limiter;
using namespace std::chrono_literals;

namespace {

// A fixed origin: every test moves time forward explicitly from here.
const rate_limiter::clock::time_point t0 = rate_limiter::clock::time_point{} + 1000h;

}  // namespace

TEST_CASE("rate limiter: a new key gets the whole burst at once, then is refused",
          "[rate_limiter]") {
  rate_limiter limiter("test", 3, 60);
  CHECK(limiter.name() == "test");
  CHECK_FALSE(limiter.acquire("ip", t0));
  CHECK_FALSE(limiter.acquire("ip", t0));
  CHECK_FALSE(limiter.acquire("ip", t0));
  auto refused = limiter.acquire("ip", t0);
  REQUIRE(refused);
  CHECK(*refused == 1s);  // 60 per minute: one token a second
}

TEST_CASE("rate limiter: tokens refill at per_minute / 60 per second", "[rate_limiter]") {
  rate_limiter limiter("test", 2, 30);  // one token every 2 s
  REQUIRE_FALSE(limiter.acquire("k", t0));
  REQUIRE_FALSE(limiter.acquire("k", t0));
  REQUIRE(limiter.acquire("k", t0));

  // Half a token is not a token.
  CHECK(limiter.acquire("k", t0 + 1s));
  // A whole one is, and only one.
  CHECK_FALSE(limiter.acquire("k", t0 + 2s));
  CHECK(limiter.acquire("k", t0 + 2s));
  // Two more after 4 more seconds.
  CHECK_FALSE(limiter.acquire("k", t0 + 6s));
  CHECK_FALSE(limiter.acquire("k", t0 + 6s));
  CHECK(limiter.acquire("k", t0 + 6s));
}

TEST_CASE("rate limiter: refill never exceeds the burst", "[rate_limiter]") {
  rate_limiter limiter("test", 2, 60);
  REQUIRE_FALSE(limiter.acquire("k", t0));
  // An hour of idleness refills to the burst (2), not to 3600.
  const auto later = t0 + 1h;
  CHECK_FALSE(limiter.acquire("k", later));
  CHECK_FALSE(limiter.acquire("k", later));
  CHECK(limiter.acquire("k", later));
}

TEST_CASE("rate limiter: a refused acquire takes nothing", "[rate_limiter]") {
  rate_limiter limiter("test", 1, 60);
  REQUIRE_FALSE(limiter.acquire("k", t0));
  // Refused ten times in the first half second...
  for (int i = 0; i < 10; ++i)
    CHECK(limiter.acquire("k", t0 + 500ms));
  // ...and still exactly one token after one second.
  CHECK_FALSE(limiter.acquire("k", t0 + 1s));
  CHECK(limiter.acquire("k", t0 + 1s));
}

TEST_CASE("rate limiter: check() reports without consuming", "[rate_limiter]") {
  rate_limiter limiter("test", 2, 60);
  // Checking a fresh key, however often, leaves its whole burst.
  for (int i = 0; i < 5; ++i)
    CHECK_FALSE(limiter.check("k", t0));
  CHECK_FALSE(limiter.acquire("k", t0));
  CHECK_FALSE(limiter.check("k", t0));
  CHECK_FALSE(limiter.acquire("k", t0));
  // Empty now: check() and acquire() agree, with the same wait.
  auto checked = limiter.check("k", t0);
  REQUIRE(checked);
  CHECK(*checked == 1s);
  auto acquired = limiter.acquire("k", t0);
  REQUIRE(acquired);
  CHECK(*acquired == *checked);
  // Refilled: check() says yes and still takes nothing.
  CHECK_FALSE(limiter.check("k", t0 + 1s));
  CHECK_FALSE(limiter.check("k", t0 + 1s));
  CHECK_FALSE(limiter.acquire("k", t0 + 1s));
  CHECK(limiter.check("k", t0 + 1s));
}

TEST_CASE("rate limiter: the Retry-After wait is the time to the next whole token, rounded up",
          "[rate_limiter]") {
  SECTION("one per minute: a minute") {
    rate_limiter limiter("test", 1, 1);
    REQUIRE_FALSE(limiter.acquire("k", t0));
    auto wait = limiter.acquire("k", t0);
    REQUIRE(wait);
    CHECK(*wait == 60s);
    // Partway there, only the rest is left.
    wait = limiter.acquire("k", t0 + 45s);
    REQUIRE(wait);
    CHECK(*wait == 15s);
    CHECK_FALSE(limiter.acquire("k", t0 + 60s));
  }
  SECTION("thirty per minute: two seconds, then one once half a token is back") {
    rate_limiter limiter("test", 1, 30);
    REQUIRE_FALSE(limiter.acquire("k", t0));
    auto wait = limiter.acquire("k", t0);
    REQUIRE(wait);
    CHECK(*wait == 2s);
    wait = limiter.acquire("k", t0 + 1s);
    REQUIRE(wait);
    CHECK(*wait == 1s);
  }
  SECTION("a fraction of a second rounds up to one second, never to zero") {
    rate_limiter limiter("test", 1, 600);  // ten tokens a second
    REQUIRE_FALSE(limiter.acquire("k", t0));
    auto wait = limiter.acquire("k", t0);
    REQUIRE(wait);
    CHECK(*wait == 1s);
    wait = limiter.acquire("k", t0 + 50ms);
    REQUIRE(wait);
    CHECK(*wait == 1s);
    CHECK_FALSE(limiter.acquire("k", t0 + 100ms));
  }
}

TEST_CASE("rate limiter: keys have independent buckets", "[rate_limiter]") {
  rate_limiter limiter("test", 1, 1);
  REQUIRE_FALSE(limiter.acquire("10.0.0.1", t0));
  REQUIRE(limiter.acquire("10.0.0.1", t0));
  // Another key is untouched by the first one's exhaustion.
  CHECK_FALSE(limiter.check("10.0.0.2", t0));
  CHECK_FALSE(limiter.acquire("10.0.0.2", t0));
  CHECK(limiter.acquire("10.0.0.2", t0));
  // And two limiters never share buckets, even for the same key.
  rate_limiter other("other", 1, 1);
  CHECK_FALSE(other.acquire("10.0.0.1", t0));
}

TEST_CASE("rate limiter: sweeping a large table keeps buckets that are not full",
          "[rate_limiter]") {
  rate_limiter limiter("test", 1, 1);
  REQUIRE_FALSE(limiter.acquire("hot", t0));
  // Enough other keys to make the table sweep (it does so past 4096 entries).
  for (int i = 0; i < 5000; ++i)
    limiter.acquire("key-" + std::to_string(i), t0);
  // The exhausted bucket survived the sweep: it did not come back with a fresh burst.
  CHECK(limiter.acquire("hot", t0 + 1s));
  // Buckets that refilled completely may be dropped: they behave exactly like new ones.
  CHECK_FALSE(limiter.acquire("key-0", t0 + 2min));
  CHECK(limiter.acquire("key-0", t0 + 2min));
}

TEST_CASE("rate limiter: a time point earlier than the last one refills nothing",
          "[rate_limiter]") {
  rate_limiter limiter("test", 1, 60);
  REQUIRE_FALSE(limiter.acquire("k", t0 + 10s));
  CHECK(limiter.acquire("k", t0));
  CHECK(limiter.acquire("k", t0 + 10s));
  CHECK_FALSE(limiter.acquire("k", t0 + 11s));
}
