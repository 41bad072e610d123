// The wake-up format nodes exchange through NOTIFY: batches split under Postgres's payload
// limit, carry their origin, and read back as the same wake-ups; junk lines are skipped.
#include "delivery/wakeup.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using sealpost::delivery::encode_wakeup;
using sealpost::delivery::encode_wakeups;
using sealpost::delivery::kMaxPayloadBytes;
using sealpost::delivery::parse_wakeups;
using sealpost::delivery::wakeup;
using sealpost::delivery::wakeup_kind;

namespace {

const std::string kAccount = "0b7e8f1c-2d3a-4c5b-8e9f-0a1b2c3d4e5f";

}  // namespace

TEST_CASE("wakeup: a single wake-up reads back, without origin", "[wakeup]") {
  for (const auto& w : std::vector<wakeup>{{wakeup_kind::messages, kAccount, 1, 0},
                                           {wakeup_kind::keys_low, kAccount, 2, 0},
                                           {wakeup_kind::removed, kAccount, 127, 0},
                                           {wakeup_kind::connected, kAccount, 3, 9000000000}}) {
    const auto parsed = parse_wakeups(encode_wakeup(w));
    CHECK_FALSE(parsed.origin_node.has_value());
    REQUIRE(parsed.wakeups.size() == 1);
    CHECK(parsed.wakeups[0] == w);
  }
  CHECK(encode_wakeup({wakeup_kind::messages, kAccount, 2, 0}) == "m " + kAccount + " 2");
}

TEST_CASE("wakeup: a batch splits under the payload limit and keeps its origin", "[wakeup]") {
  std::vector<wakeup> all;
  for (int i = 0; i < 1000; ++i)
    all.push_back({wakeup_kind::messages, kAccount, i + 1, 0});
  const auto payloads = encode_wakeups("node-a", all);
  REQUIRE(payloads.size() > 1);
  std::vector<wakeup> read_back;
  for (const auto& p : payloads) {
    CHECK(p.size() <= kMaxPayloadBytes);
    const auto parsed = parse_wakeups(p);
    CHECK(parsed.origin_node == "node-a");
    read_back.insert(read_back.end(), parsed.wakeups.begin(), parsed.wakeups.end());
  }
  CHECK(read_back == all);
}

TEST_CASE("wakeup: malformed lines are skipped, good ones around them kept", "[wakeup]") {
  const std::string good = "m " + kAccount + " 1";
  for (const std::string& junk :
       {std::string(""), std::string("c"), std::string("c "), "m" + kAccount,
        "c " + kAccount + " 1 x9", "c " + kAccount + " 1 9x", "c " + kAccount + " 1 ",
        "c " + kAccount + " 1", "z " + kAccount + " 1", "m " + kAccount + " 1 2",
        "m " + kAccount + " 99999999999", std::string("m  1"), std::string("from node-b")}) {
    const auto parsed = parse_wakeups(good + "\n" + junk + "\n" + good);
    CHECK_FALSE(parsed.origin_node.has_value());  // "from" counts only on the first line
    CHECK(parsed.wakeups.size() == 2);
  }
}
