// The entry lists a KT response covers (proof_plan.hpp): hand-checked small trees, brute-force
// definitions over random logs, and the property the design rests on: a client answering
// timestamps only from the entries kt_proof_entries lists reaches the same answers as a server
// holding every timestamp.
#include "keytrans/proof_plan.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "keytrans/distinguished.hpp"
#include "keytrans/ibst.hpp"
#include "kt_test_log.hpp"

namespace sealpost::keytrans {
namespace {

using test::all_distinguished;
using test::lookup_of;
using u64_vector = std::vector<std::uint64_t>;

constexpr std::uint64_t max_u64 = std::numeric_limits<std::uint64_t>::max();

// Timestamps by hand for the 50-entry tree of §4.1 (root 31, frontier 31, 47, 49) with a
// window of 100: the root and 47 are distinguished, 49 is not (its span is 50).
u64_vector hand_timestamps_50() {
  u64_vector timestamps(50);
  for (std::uint64_t i = 0; i < 50; ++i) {
    timestamps[i] = i <= 31 ? 1000 : i <= 47 ? 1200 : 1250;
  }
  return timestamps;
}

std::set<std::uint64_t> set_of(const u64_vector& values) {
  return {values.begin(), values.end()};
}

u64_vector with(u64_vector values, std::uint64_t extra) {
  values.push_back(extra);
  return values;
}

// The lookup a client has after a response: the listed entries, plus its retained frontier
// when it advertised the current size (the response then lists nothing of §4.2).
std::set<std::uint64_t> client_entries(std::uint64_t size, std::optional<std::uint64_t> last,
                                       const u64_vector& positions) {
  const auto listed = kt_proof_entries(size, last, positions);
  REQUIRE(listed);
  std::set<std::uint64_t> allowed = set_of(*listed);
  if (last) {
    const u64_vector retained = ibst_frontier(*last);
    allowed.insert(retained.begin(), retained.end());
  }
  return allowed;
}

// One random log per test scenario: a realistic epoch start (the root and the left spine are
// then always distinguished) or a start near 0 (they may not be), and a day or a tiny window.
struct random_log {
  u64_vector timestamps;
  std::uint64_t window = 0;
};

random_log make_random_log(std::size_t size, std::mt19937_64& rng) {
  const int shape = std::uniform_int_distribution<int>(0, 3)(rng);
  const std::uint64_t window = shape == 3 ? 0 : shape == 2 ? 50 : test::day_ms;
  const std::uint64_t first = shape == 1 ? 0 : 1'700'000'000'000;
  return {test::random_timestamps(size, first, window, rng), window};
}

u64_vector log_sizes() {
  u64_vector sizes;
  for (std::uint64_t size = 1; size <= 300; ++size) {
    sizes.push_back(size);
  }
  sizes.insert(sizes.end(), {511, 512, 513, 1000, 1023, 1024, 1025});
  return sizes;
}

TEST_CASE("keytrans plan: kt_proof_entries on hand-checked trees", "[keytrans]") {
  CHECK(kt_proof_entries(1, std::nullopt, {}) == u64_vector{0});
  CHECK(kt_proof_entries(14, std::nullopt, {}) == u64_vector{7, 11, 13});
  CHECK(kt_proof_entries(50, std::nullopt, {}) == u64_vector{31, 47, 49});  // §4.1's example
  CHECK(kt_proof_entries(14, 14, {}) == u64_vector{});
  // The root path of 4 in 14 entries: 5, 3, 7.
  CHECK(kt_proof_entries(14, 14, u64_vector{4}) == u64_vector{3, 4, 5, 7});
  // §4.2 from 10: the direct path of 9 is 11, 7; 11 >= 10, then the frontier after it: 13.
  CHECK(kt_proof_entries(14, 10, {}) == u64_vector{11, 13});
  // Any order and repeats; the union is sorted and unique.
  CHECK(kt_proof_entries(50, 50, u64_vector{44, 40, 44}) ==
        u64_vector{31, 39, 40, 41, 43, 44, 45, 47});
  CHECK(kt_proof_entries(50, std::nullopt, u64_vector{40}) ==
        u64_vector{31, 39, 40, 41, 43, 47, 49});
}

TEST_CASE("keytrans plan: kt_proof_entries refuses what DESIGN.md does", "[keytrans]") {
  CHECK_FALSE(kt_proof_entries(0, std::nullopt, {}));
  CHECK_FALSE(kt_proof_entries(14, 0, {}));
  CHECK_FALSE(kt_proof_entries(14, 15, {}));
  CHECK_FALSE(kt_proof_entries(14, std::nullopt, u64_vector{14}));
  CHECK_FALSE(kt_proof_entries(14, 14, u64_vector{3, max_u64}));
}

TEST_CASE("keytrans plan: kt_proof_entries stays small at the largest sizes", "[keytrans]") {
  const u64_vector positions{0, std::uint64_t{1} << 63, max_u64 - 1};
  const auto entries = kt_proof_entries(max_u64, max_u64 - 1, positions);
  REQUIRE(entries);
  CHECK(std::is_sorted(entries->begin(), entries->end()));
  CHECK(std::adjacent_find(entries->begin(), entries->end()) == entries->end());
  CHECK(entries->size() <= 3 * 64 + 64);
  CHECK(entries->back() == max_u64 - 1);
}

TEST_CASE("keytrans plan: kt_proof_entries is the union DESIGN.md defines", "[keytrans]") {
  std::mt19937_64 rng(11);
  for (std::uint64_t size = 1; size <= 130; ++size) {
    const auto parents = test::parents_of(size);
    std::uniform_int_distribution<std::uint64_t> position(0, size - 1);
    for (std::uint64_t last = 0; last <= size; ++last) {
      const std::optional<std::uint64_t> advertised =
          last == 0 ? std::nullopt : std::optional{last};
      u64_vector positions;
      for (int i = std::uniform_int_distribution<int>(0, 4)(rng); i > 0; --i) {
        positions.push_back(position(rng));
      }
      std::set<std::uint64_t> expected;
      const auto update = update_view_entries(size, advertised);
      REQUIRE(update);
      expected.insert(update->begin(), update->end());
      for (const std::uint64_t p : positions) {
        expected.insert(p);
        for (const std::uint64_t ancestor : test::ancestors_of(p, parents)) {
          expected.insert(ancestor);
        }
      }
      const auto entries = kt_proof_entries(size, advertised, positions);
      REQUIRE(entries);
      CHECK(*entries == u64_vector(expected.begin(), expected.end()));
    }
  }
}

// verify_kt_proof builds the new frontier from the §4.2 list and the retained frontier: every
// new frontier entry must be in one of them, and the last entry on the list whenever it is new.
TEST_CASE("keytrans plan: the §4.2 list and the retained frontier hold the new frontier",
          "[keytrans]") {
  for (std::uint64_t size = 1; size <= 300; ++size) {
    for (std::uint64_t last = 1; last <= size; ++last) {
      const auto update = update_view_entries(size, last);
      REQUIRE(update);
      std::set<std::uint64_t> known = set_of(*update);
      const u64_vector retained = ibst_frontier(last);
      known.insert(retained.begin(), retained.end());
      for (const std::uint64_t node : ibst_frontier(size)) {
        CHECK(known.contains(node));
      }
      if (last < size) {
        CHECK(set_of(*update).contains(size - 1));
      }
    }
  }
}

TEST_CASE("keytrans plan: search ladders on a hand-checked tree", "[keytrans]") {
  const u64_vector timestamps = hand_timestamps_50();
  CHECK(search_ladder_positions(50, 100, lookup_of(timestamps)) == u64_vector{47, 49});
  // A window wider than the whole log: nothing distinguished, the search starts at the root.
  CHECK(search_ladder_positions(50, 2000, lookup_of(timestamps)) == u64_vector{31, 47, 49});
  // A window of 0: every entry, 49 too.
  CHECK(search_ladder_positions(50, 0, lookup_of(timestamps)) == u64_vector{49});
  CHECK(search_ladder_positions(1, 0, lookup_of(timestamps)) == u64_vector{0});
  CHECK_FALSE(search_ladder_positions(0, 100, lookup_of(timestamps)));
  const std::set<std::uint64_t> only_last{49};
  CHECK_FALSE(search_ladder_positions(50, 100, lookup_of(timestamps, &only_last)));
}

TEST_CASE("keytrans plan: monitoring ladders on a hand-checked tree", "[keytrans]") {
  const u64_vector timestamps = hand_timestamps_50();
  const auto lookup = lookup_of(timestamps);
  // 40's direct path: 41, 43, 39, 47, 31. Right of it: 41, 43, 47; 47 is distinguished (and
  // 39 too, but it lies left of 40).
  CHECK(monitoring_ladder_positions(40, 50, 100, lookup) == u64_vector{41, 43, 47});
  CHECK(monitoring_ladder_positions(44, 50, 100, lookup) == u64_vector{45, 47});
  CHECK(monitoring_ladder_positions(39, 50, 100, lookup) == u64_vector{});    // distinguished
  CHECK(monitoring_ladder_positions(48, 50, 100, lookup) == u64_vector{49});  // 49 is the top
  // With nothing distinguished, the whole right part of the direct path.
  CHECK(monitoring_ladder_positions(40, 50, 2000, lookup) == u64_vector{41, 43, 47});
  CHECK(monitoring_ladder_positions(48, 50, 2000, lookup) == u64_vector{49});
  CHECK(monitoring_ladder_positions(31, 50, 2000, lookup) == u64_vector{});  // the root
  CHECK_FALSE(monitoring_ladder_positions(50, 50, 100, lookup));
  const std::set<std::uint64_t> no_root{40, 41, 43, 39, 47, 49};
  CHECK_FALSE(monitoring_ladder_positions(40, 50, 100, lookup_of(timestamps, &no_root)));
}

TEST_CASE("keytrans plan: distinguished entries after a start on a hand-checked tree",
          "[keytrans]") {
  const u64_vector timestamps = hand_timestamps_50();
  const auto lookup = lookup_of(timestamps);
  const std::set<std::uint64_t> all = all_distinguished(100, timestamps);
  for (std::uint64_t start = 0; start < 50; ++start) {
    u64_vector expected;
    std::copy_if(all.begin(), all.end(), std::back_inserter(expected),
                 [&](std::uint64_t p) { return p > start; });
    CHECK(distinguished_entries_after(start, 50, 100, lookup) == expected);
  }
  CHECK(distinguished_entries_after(49, 50, 0, lookup) == u64_vector{});
  CHECK(distinguished_entries_after(46, 50, 0, lookup) == u64_vector{47, 48, 49});
  CHECK(distinguished_entries_after(46, 50, 0, lookup, 2) == u64_vector{47, 48});
  CHECK(distinguished_entries_after(46, 50, 0, lookup, 0) == u64_vector{});
  CHECK_FALSE(distinguished_entries_after(50, 50, 0, lookup));
  CHECK_FALSE(distinguished_entries_after(0, 0, 0, lookup));
}

TEST_CASE("keytrans plan: the planning functions match their definitions on random logs",
          "[keytrans]") {
  std::mt19937_64 rng(7);
  for (const std::uint64_t size : log_sizes()) {
    const random_log log = make_random_log(size, rng);
    const auto lookup = lookup_of(log.timestamps);
    const std::set<std::uint64_t> distinguished = all_distinguished(log.window, log.timestamps);
    const auto parents = test::parents_of(size);
    INFO("size " << size << " window " << log.window);

    // §6.3: the frontier from the rightmost distinguished entry (the root if none).
    const std::uint64_t first = distinguished.empty() ? *ibst_root(size) : *distinguished.rbegin();
    u64_vector search = ibst_frontier(size);
    std::erase_if(search, [&](std::uint64_t p) { return p < first; });
    CHECK(search_ladder_positions(size, log.window, lookup) == search);

    std::uniform_int_distribution<std::uint64_t> position(0, size - 1);
    for (int round = 0; round < 8; ++round) {
      const std::uint64_t p = round == 0 ? size - 1 : position(rng);
      // §8.2: the direct path right of p through the first distinguished entry.
      u64_vector monitoring;
      if (!distinguished.contains(p)) {
        for (const std::uint64_t ancestor : test::ancestors_of(p, parents)) {
          if (ancestor > p) {
            monitoring.push_back(ancestor);
            if (distinguished.contains(ancestor)) {
              break;
            }
          }
        }
      }
      CHECK(monitoring_ladder_positions(p, size, log.window, lookup) == monitoring);

      u64_vector after;
      std::copy_if(distinguished.begin(), distinguished.end(), std::back_inserter(after),
                   [&](std::uint64_t d) { return d > p; });
      CHECK(distinguished_entries_after(p, size, log.window, lookup) == after);
      const std::size_t limit = std::uniform_int_distribution<std::size_t>(1, 5)(rng);
      const u64_vector cut(after.begin(), after.begin() + std::min(limit, after.size()));
      CHECK(distinguished_entries_after(p, size, log.window, lookup, limit) == cut);
    }
    for (std::uint64_t p = 0; p < std::min<std::uint64_t>(size, 40); ++p) {
      CHECK(is_distinguished(p, size, log.window, lookup) == distinguished.contains(p));
    }
  }
}

// The client side of every list: only the listed entries (and its retained frontier) answer.
TEST_CASE("keytrans plan: a client decides every list from the entries a response lists",
          "[keytrans]") {
  std::mt19937_64 rng(99);
  for (const std::uint64_t size : log_sizes()) {
    const random_log log = make_random_log(size, rng);
    const auto full = lookup_of(log.timestamps);
    std::uniform_int_distribution<std::uint64_t> position(0, size - 1);
    for (int round = 0; round < 4; ++round) {
      const std::optional<std::uint64_t> last =
          round == 0 ? std::nullopt : std::optional{round == 1 ? size : 1 + position(rng)};
      INFO("size " << size << " last " << last.value_or(0) << " window " << log.window);

      const auto search = search_ladder_positions(size, log.window, full);
      REQUIRE(search);
      const std::set<std::uint64_t> search_entries = client_entries(size, last, *search);
      CHECK(search_ladder_positions(size, log.window, lookup_of(log.timestamps, &search_entries)) ==
            search);

      const std::uint64_t p = position(rng);
      const auto monitoring = monitoring_ladder_positions(p, size, log.window, full);
      REQUIRE(monitoring);
      const std::set<std::uint64_t> monitor_entries = client_entries(size, last, u64_vector{p});
      CHECK(monitoring_ladder_positions(p, size, log.window,
                                        lookup_of(log.timestamps, &monitor_entries)) == monitoring);

      const std::size_t limit = round == 3 ? 3 : std::numeric_limits<std::size_t>::max();
      const auto owner = distinguished_entries_after(p, size, log.window, full, limit);
      REQUIRE(owner);
      const std::set<std::uint64_t> owner_entries = client_entries(size, last, with(*owner, p));
      CHECK(distinguished_entries_after(p, size, log.window,
                                        lookup_of(log.timestamps, &owner_entries), limit) == owner);
    }
  }
}

// Why an owner response lists `start` as well: the recursion judges entries right of start
// below a distinguished ancestor of start that no answer entry needs as an ancestor.
TEST_CASE("keytrans plan: owner checks need the root path of start", "[keytrans]") {
  std::mt19937_64 rng(5);
  bool seen = false;
  for (int attempt = 0; attempt < 400 && !seen; ++attempt) {
    const std::uint64_t size = std::uniform_int_distribution<std::uint64_t>(20, 300)(rng);
    const random_log log = make_random_log(size, rng);
    const std::uint64_t start = std::uniform_int_distribution<std::uint64_t>(0, size - 1)(rng);
    const auto owner =
        distinguished_entries_after(start, size, log.window, lookup_of(log.timestamps));
    REQUIRE(owner);
    const std::set<std::uint64_t> without_start = client_entries(size, std::nullopt, *owner);
    seen = !distinguished_entries_after(start, size, log.window,
                                        lookup_of(log.timestamps, &without_start));
  }
  CHECK(seen);
}

TEST_CASE("keytrans plan: huge logs stay cheap and never fail", "[keytrans]") {
  // Timestamps growing with the position: the window decides how deep §6.1 goes.
  const timestamp_lookup by_position = [](std::uint64_t p) -> std::optional<std::uint64_t> {
    return p / 1024;
  };
  const std::uint64_t size = max_u64;
  const auto search = search_ladder_positions(size, std::uint64_t{1} << 40, by_position);
  REQUIRE(search);
  CHECK(search->back() == size - 1);
  const auto monitoring = monitoring_ladder_positions(12345, size, 1 << 20, by_position);
  REQUIRE(monitoring);
  CHECK(monitoring->size() <= 64);
  const auto owner = distinguished_entries_after(size / 3, size, 0, by_position, 10);
  REQUIRE(owner);
  CHECK(owner->size() == 10);
  CHECK(std::is_sorted(owner->begin(), owner->end()));
  CHECK(owner->front() > size / 3);
}

}  // namespace
}  // namespace sealpost::keytrans
