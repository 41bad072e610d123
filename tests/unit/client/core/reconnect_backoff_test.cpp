// The reconnecting listener's pauses: short after a working connection, doubling while
// attempts fail, never above the ceiling. Pure arithmetic, no clock.
#include "core/reconnect_backoff.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <vector>

using sealpost::client::reconnect_backoff;
using std::chrono::seconds;

namespace {

// The pauses of `attempts` failed attempts in a row.
std::vector<long> pauses_of_failures(reconnect_backoff& backoff, int attempts) {
  std::vector<long> out;
  for (int i = 0; i < attempts; ++i) {
    out.push_back(static_cast<long>(backoff.pause().count()));
    backoff.waited();
  }
  return out;
}

}  // namespace

TEST_CASE("reconnect backoff starts at 1 s and doubles up to 30 s", "[client][core]") {
  reconnect_backoff backoff;
  CHECK(pauses_of_failures(backoff, 8) == std::vector<long>{1, 2, 4, 8, 16, 30, 30, 30});
}

TEST_CASE("reconnect backoff falls back to the first pause once connected", "[client][core]") {
  reconnect_backoff backoff;
  pauses_of_failures(backoff, 4);
  CHECK(backoff.pause() == seconds(16));
  backoff.connected();
  CHECK(backoff.pause() == seconds(1));
  backoff.waited();
  CHECK(backoff.pause() == seconds(2));
}

TEST_CASE("reconnect backoff takes its own first pause and ceiling", "[client][core]") {
  reconnect_backoff backoff(seconds(3), seconds(10));
  CHECK(pauses_of_failures(backoff, 4) == std::vector<long>{3, 6, 10, 10});
  // A ceiling below the first pause is the first pause.
  reconnect_backoff flat(seconds(5), seconds(2));
  CHECK(pauses_of_failures(flat, 3) == std::vector<long>{5, 5, 5});
}
