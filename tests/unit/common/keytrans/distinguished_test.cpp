// Distinguished entries (§6.1) against distinguished.json and against the §6.1 recursion run
// literally over every entry. The vectors' `requested*` lists are the order katie asked for
// timestamps in; only the set of entries asked for is compared.
#include "keytrans/distinguished.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "keytrans/ibst.hpp"
#include "keytrans_vector_file.hpp"

namespace sealpost::keytrans {
namespace {

using test::u64;

constexpr std::uint64_t max_u64 = std::numeric_limits<std::uint64_t>::max();

std::set<std::uint64_t> u64_set(const boost::json::value& value) {
  std::set<std::uint64_t> set;
  for (const boost::json::value& item : value.as_array()) {
    set.insert(u64(item));
  }
  return set;
}

// Timestamps by position, recording which ones were asked for.
struct recording_timestamps {
  std::vector<std::uint64_t> timestamps;
  std::set<std::uint64_t> asked;

  timestamp_lookup lookup() {
    return [this](std::uint64_t position) -> std::optional<std::uint64_t> {
      asked.insert(position);
      if (position >= timestamps.size()) {
        return std::nullopt;
      }
      return timestamps[position];
    };
  }
};

// §6.1 as written: recurse from the root with bounds 0 and the last timestamp, collecting every
// distinguished entry. A decreasing pair has a negative difference, below every window.
void collect_distinguished(std::uint64_t node, std::uint64_t left, std::uint64_t right,
                           std::uint64_t size, std::uint64_t window,
                           const std::vector<std::uint64_t>& timestamps,
                           std::set<std::uint64_t>& out) {
  if (right < left || right - left < window) {
    return;
  }
  out.insert(node);
  if (const auto child = ibst_left_child(node, size)) {
    collect_distinguished(*child, left, timestamps[node], size, window, timestamps, out);
  }
  if (const auto child = ibst_right_child(node, size)) {
    collect_distinguished(*child, timestamps[node], right, size, window, timestamps, out);
  }
}

std::set<std::uint64_t> all_distinguished(std::uint64_t window,
                                          const std::vector<std::uint64_t>& timestamps) {
  std::set<std::uint64_t> out;
  if (!timestamps.empty()) {
    collect_distinguished(*ibst_root(timestamps.size()), 0, timestamps.back(), timestamps.size(),
                          window, timestamps, out);
  }
  return out;
}

// The vector's answer for `field`: found at the position, or none when the field is absent.
void check_answer(const distinguished_search& ours, const boost::json::object& expect,
                  const char* field) {
  INFO(field);
  if (expect.contains(field)) {
    CHECK(ours.status == distinguished_status::found);
    CHECK(ours.position == u64(expect.at(field)));
  } else {
    CHECK(ours.status == distinguished_status::none);
  }
}

// What the literal recursion says the two answers are.
void check_against_recursion(const distinguished_search& rightmost,
                             const distinguished_search& previous,
                             const std::set<std::uint64_t>& distinguished, std::uint64_t size) {
  if (distinguished.empty()) {
    CHECK(rightmost.status == distinguished_status::none);
  } else {
    CHECK(rightmost.position == *distinguished.rbegin());
  }
  auto below_last = distinguished.lower_bound(size - 1);
  if (below_last == distinguished.begin()) {
    CHECK(previous.status == distinguished_status::none);
  } else {
    CHECK(previous.position == *std::prev(below_last));
  }
}

TEST_CASE("keytrans: distinguished entries reproduce every distinguished.json case",
          "[keytrans][distinguished]") {
  const boost::json::value document = test::load_keytrans_file("distinguished.json");
  const boost::json::array& cases = document.at("cases").as_array();
  for (const boost::json::value& entry : cases) {
    const boost::json::object& input = entry.at("input").as_object();
    const boost::json::object& expect = entry.at("expect").as_object();
    INFO(entry.at("name").as_string().c_str());
    const std::uint64_t size = u64(input.at("size"));
    const std::uint64_t window = u64(input.at("window"));
    recording_timestamps for_rightmost;
    for (const boost::json::value& timestamp : input.at("timestamps").as_array()) {
      for_rightmost.timestamps.push_back(u64(timestamp));
    }
    REQUIRE(for_rightmost.timestamps.size() == size);
    recording_timestamps for_previous{for_rightmost.timestamps, {}};

    const distinguished_search rightmost =
        rightmost_distinguished(size, window, for_rightmost.lookup());
    const distinguished_search previous =
        previous_rightmost_distinguished(size, window, for_previous.lookup());
    check_answer(rightmost, expect, "rightmost");
    check_answer(previous, expect, "previous_rightmost");
    CHECK(for_rightmost.asked == u64_set(expect.at("requested_rightmost")));
    CHECK(for_previous.asked == u64_set(expect.at("requested_previous")));

    const std::set<std::uint64_t> distinguished =
        all_distinguished(window, for_rightmost.timestamps);
    check_against_recursion(rightmost, previous, distinguished, size);
    const timestamp_lookup lookup = for_rightmost.lookup();
    for (std::uint64_t position = 0; position < size; ++position) {
      INFO("position " << position);
      CHECK(is_distinguished(position, size, window, lookup) ==
            (distinguished.count(position) == 1));
    }
  }
  CHECK(cases.size() == 42);
}

TEST_CASE("keytrans: distinguished entries agree with the recursion on uneven logs",
          "[keytrans][distinguished]") {
  // Timestamps that grow by uneven steps (a few bursts), every size and a few windows.
  std::vector<std::uint64_t> timestamps;
  std::uint64_t now = 1000;
  for (std::uint64_t i = 0; i < 200; ++i) {
    now += (i * 7919) % 13 == 0 ? 5000 : (i * 104729) % 7;
    timestamps.push_back(now);
  }
  for (const std::uint64_t window :
       {std::uint64_t{0}, std::uint64_t{3}, std::uint64_t{5000}, std::uint64_t{20000}, max_u64}) {
    for (std::size_t size = 1; size <= timestamps.size(); ++size) {
      INFO("window " << window << " size " << size);
      recording_timestamps log{{timestamps.begin(), timestamps.begin() + size}, {}};
      const std::set<std::uint64_t> distinguished = all_distinguished(window, log.timestamps);
      check_against_recursion(rightmost_distinguished(size, window, log.lookup()),
                              previous_rightmost_distinguished(size, window, log.lookup()),
                              distinguished, size);
    }
  }
}

TEST_CASE("keytrans: distinguished entries refuse missing timestamps and bad positions",
          "[keytrans][distinguished]") {
  const timestamp_lookup nothing = [](std::uint64_t) -> std::optional<std::uint64_t> {
    return std::nullopt;
  };
  CHECK(rightmost_distinguished(5, 0, nothing).status == distinguished_status::missing_timestamp);
  CHECK(previous_rightmost_distinguished(5, 0, nothing).status ==
        distinguished_status::missing_timestamp);
  CHECK_FALSE(is_distinguished(0, 5, 0, nothing).has_value());
  // An empty log has none, and asks for nothing.
  CHECK(rightmost_distinguished(0, 0, nothing).status == distinguished_status::none);
  CHECK(previous_rightmost_distinguished(0, 0, nothing).status == distinguished_status::none);

  // Size 8 with window 0: all distinguished; the root's timestamp is needed to go right.
  const timestamp_lookup without_root = [](std::uint64_t position) -> std::optional<std::uint64_t> {
    if (position == 3) {
      return std::nullopt;
    }
    return position;
  };
  CHECK(rightmost_distinguished(7, 0, without_root).status ==
        distinguished_status::missing_timestamp);
  CHECK_FALSE(is_distinguished(5, 7, 0, without_root).has_value());
  // Entry 1 needs only the last timestamp and the root's (3).
  CHECK_FALSE(is_distinguished(1, 7, 0, without_root).has_value());

  const timestamp_lookup identity = [](std::uint64_t position) -> std::optional<std::uint64_t> {
    return position;
  };
  CHECK_FALSE(is_distinguished(7, 7, 0, identity).has_value());
  CHECK_FALSE(is_distinguished(max_u64, max_u64, 0, identity).has_value());
}

TEST_CASE("keytrans: distinguished entries at the extremes of sizes, windows and timestamps",
          "[keytrans][distinguished]") {
  const timestamp_lookup identity = [](std::uint64_t position) -> std::optional<std::uint64_t> {
    return position;
  };
  // Size 2^64-1, timestamp = position, window 2^62: the root (2^63-1, bounds 0 and 2^64-2) and
  // its right child (3*2^62-1, bounds differ by 2^63-1) are; the next one's bounds differ by
  // 2^62-1.
  const std::uint64_t size = max_u64;
  const std::uint64_t window = std::uint64_t{1} << 62;
  const distinguished_search rightmost = rightmost_distinguished(size, window, identity);
  CHECK(rightmost.status == distinguished_status::found);
  CHECK(rightmost.position == 3 * (std::uint64_t{1} << 62) - 1);
  CHECK(previous_rightmost_distinguished(size, window, identity).position == rightmost.position);
  CHECK(is_distinguished((std::uint64_t{1} << 63) - 1, size, window, identity) == true);
  CHECK(is_distinguished(size - 1, size, window, identity) == false);

  // Window 0 and one entry: 0 - 0 is not below 0.
  CHECK(rightmost_distinguished(1, 0, identity).position == 0);
  CHECK(rightmost_distinguished(1, 0, identity).status == distinguished_status::found);
  CHECK(previous_rightmost_distinguished(1, 0, identity).status == distinguished_status::none);
  // The largest window and timestamp: exactly the window apart.
  const timestamp_lookup at_max = [](std::uint64_t) -> std::optional<std::uint64_t> {
    return max_u64;
  };
  CHECK(rightmost_distinguished(1, max_u64, at_max).status == distinguished_status::found);
  CHECK(rightmost_distinguished(1, max_u64, identity).status == distinguished_status::none);

  // Timestamps that go backwards must not wrap into a huge difference: size 3, root 1 spans
  // [0, 50]; its right child 2 would span [200, 50].
  const std::vector<std::uint64_t> backwards{100, 200, 50};
  const timestamp_lookup lookup = [&](std::uint64_t position) -> std::optional<std::uint64_t> {
    return backwards.at(position);
  };
  CHECK(rightmost_distinguished(3, 40, lookup).position == 1);
  CHECK(is_distinguished(2, 3, 40, lookup) == false);
  CHECK(is_distinguished(2, 3, 0, lookup) == false);
}

}  // namespace
}  // namespace sealpost::keytrans
