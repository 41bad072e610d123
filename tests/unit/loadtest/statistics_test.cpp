// The latency percentiles of the load generator: over the whole run (the summary and the
// JSON line) and over the samples of one progress row (the charts' p99 per second).
#include "statistics.hpp"

#include <catch2/catch.hpp>
#include <chrono>

using namespace sealpost::loadtest;
using std::chrono::milliseconds;

namespace {

// Samples of 1..n ms, added in descending order so that a sort would reorder them.
latencies descending(int n) {
  latencies l;
  for (int ms = n; ms >= 1; --ms)
    l.add(milliseconds(ms));
  return l;
}

}  // namespace

TEST_CASE("latencies: quantiles over the whole run", "[statistics]") {
  auto l = descending(100);
  CHECK(l.ms(0.5) == 50.0);
  CHECK(l.ms(0.99) == 99.0);
  CHECK(l.ms(1.0) == 100.0);
  CHECK(latencies{}.ms(0.99) == 0.0);
}

TEST_CASE("latencies: the p99 of one second counts only the samples added since its start",
          "[statistics]") {
  latencies l;
  for (int i = 0; i < 100; ++i)
    l.add(milliseconds(500));  // a slow first second
  const auto first_second_end = l.count();
  for (int ms = 1; ms <= 100; ++ms)
    l.add(milliseconds(ms));
  REQUIRE(l.ms_since(0, 0.99));
  CHECK(*l.ms_since(0, 0.99) == 500.0);
  REQUIRE(l.ms_since(first_second_end, 0.99));
  CHECK(*l.ms_since(first_second_end, 0.99) == 99.0);
}

TEST_CASE("latencies: a second with no sample has no p99", "[statistics]") {
  auto l = descending(10);
  CHECK_FALSE(l.ms_since(l.count(), 0.99));
  CHECK_FALSE(latencies{}.ms_since(0, 0.99));
}

TEST_CASE("latencies: the whole-run quantiles leave the samples in arrival order", "[statistics]") {
  auto l = descending(100);
  CHECK(l.summary().at("p99").as_double() == 99.0);
  // The last 10 samples added are 10..1 ms: still the tail after the summary.
  REQUIRE(l.ms_since(90, 1.0));
  CHECK(*l.ms_since(90, 1.0) == 10.0);
}
