// KtProof (kt_proof.hpp) end to end: an in-memory log whose server side builds proofs the way
// the real one will (kt_proof_entries, kt_inclusion_elements over stored balanced subtrees, a
// P-256 signed head), checked by the client side for every response shape, and each way a
// proof can be wrong failing with its own error.
#include "keytrans/kt_proof.hpp"

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "keytrans/ibst.hpp"
#include "keytrans/proof_plan.hpp"
#include "kt_test_log.hpp"

namespace sealpost::keytrans {
namespace {

using u64_vector = std::vector<std::uint64_t>;

constexpr std::uint64_t window = test::day_ms;
constexpr std::uint64_t max_ahead_ms = 600'000;
constexpr std::uint64_t max_behind_ms = 3'600'000;

log_hash random_hash(std::mt19937_64& rng) {
  log_hash hash{};
  for (std::uint8_t& byte : hash) {
    byte = static_cast<std::uint8_t>(rng());
  }
  return hash;
}

// The log's keys and pinned Configuration, shared by the logs of one test.
struct log_keys {
  ossl::pkey_ptr signing_key = generate_p256_signing_key();
  p256_public_key public_key = p256_public_key_of(*signing_key);
  bytes encoded_configuration;

  log_keys() {
    configuration config;
    config.signature_public_key.assign(public_key.begin(), public_key.end());
    config.vrf_public_key.assign(33, 0x02);
    config.max_ahead = max_ahead_ms;
    config.max_behind = max_behind_ms;
    config.reasonable_monitoring_window = window;
    encoded_configuration = encode_configuration(config).value();
  }
};

// The server's side: every entry, and every balanced subtree value keyed as kt_log_nodes
// (level, index), computed bottom up once.
class test_log {
 public:
  test_log(std::size_t size, std::mt19937_64& rng, const log_keys& keys) : keys_(&keys) {
    const u64_vector timestamps = test::random_timestamps(size, 1'700'000'000'000, window, rng);
    for (std::size_t i = 0; i < size; ++i) {
      entries_.push_back({i, timestamps[i], random_hash(rng)});
    }
    recompute_nodes();
  }

  // A fork: the same log with entry `position` given another prefix root.
  [[nodiscard]] test_log forked_at(std::uint64_t position) const {
    test_log fork = *this;
    fork.entries_[position].prefix_root[0] ^= 0x01;
    fork.recompute_nodes();
    return fork;
  }

  [[nodiscard]] std::uint64_t timestamp(std::uint64_t position) const {
    return entries_[position].timestamp;
  }
  [[nodiscard]] const kt_entry& entry(std::uint64_t position) const { return entries_[position]; }

  // Only subtrees complete at `tree_size` exist, as in kt_log_nodes; `asked` records requests.
  [[nodiscard]] log_node_lookup nodes_at(std::uint64_t tree_size,
                                         std::vector<log_subtree>* asked = nullptr) const {
    return [this, tree_size, asked](const log_subtree& subtree) -> std::optional<log_hash> {
      if (asked) {
        asked->push_back(subtree);
      }
      // Checked before level(), which is meaningless for a size that is no power of two.
      if (!std::has_single_bit(subtree.size) || subtree.start + subtree.size > tree_size) {
        return std::nullopt;
      }
      const auto it = nodes_.find({subtree.level(), subtree.index_at_level()});
      if (it == nodes_.end()) {
        return std::nullopt;
      }
      return it->second;
    };
  }

  [[nodiscard]] std::vector<log_hash> full_subtrees(std::uint64_t tree_size) const {
    std::vector<log_hash> values;
    for (const log_subtree& subtree : log_full_subtrees(tree_size)) {
      values.push_back(nodes_.at({subtree.level(), subtree.index_at_level()}));
    }
    return values;
  }

  [[nodiscard]] log_hash root(std::uint64_t tree_size) const {
    return log_root_from_full_subtrees({tree_size, full_subtrees(tree_size)}).value();
  }

  // What a client that verified size `tree_size` retains.
  [[nodiscard]] kt_retained_view view(std::uint64_t tree_size) const {
    kt_retained_view view{tree_size, full_subtrees(tree_size), {}};
    for (const std::uint64_t position : ibst_frontier(tree_size)) {
      view.frontier.push_back(entries_[position]);
    }
    return view;
  }

  [[nodiscard]] bytes sign(std::uint64_t tree_size, EVP_PKEY& key) const {
    const p256_signature signature = p256_sign(
        key, encode_tree_head_tbs(keys_->encoded_configuration, tree_size, root(tree_size)));
    return {signature.begin(), signature.end()};
  }

  // The proof the server sends a client that advertised `last` (0: none).
  [[nodiscard]] kt_proof proof(std::uint64_t tree_size, std::uint64_t last,
                               const u64_vector& required) const {
    const auto positions =
        kt_proof_entries(tree_size, last == 0 ? std::nullopt : std::optional{last}, required);
    REQUIRE(positions);
    kt_proof proof{{tree_size, sign(tree_size, *keys_->signing_key)}, {}, {}};
    for (const std::uint64_t position : *positions) {
      proof.entries.push_back(entries_[position]);
    }
    const auto inclusion = kt_inclusion_elements(tree_size, last, *positions, nodes_at(tree_size));
    REQUIRE(inclusion);
    proof.inclusion = *inclusion;
    return proof;
  }

  // A clock that the head of `tree_size` is fresh against.
  [[nodiscard]] kt_proof_check_params params(std::uint64_t tree_size) const {
    return {keys_->encoded_configuration, keys_->public_key, timestamp(tree_size - 1) + 1000,
            max_ahead_ms, max_behind_ms};
  }

  [[nodiscard]] std::vector<std::uint64_t> timestamps(std::uint64_t tree_size) const {
    std::vector<std::uint64_t> out;
    for (std::uint64_t i = 0; i < tree_size; ++i) {
      out.push_back(entries_[i].timestamp);
    }
    return out;
  }

  [[nodiscard]] std::vector<log_hash> leaves(std::uint64_t tree_size) const {
    std::vector<log_hash> out;
    for (std::uint64_t i = 0; i < tree_size; ++i) {
      out.push_back(log_leaf_value({entries_[i].timestamp, entries_[i].prefix_root}));
    }
    return out;
  }

 private:
  void recompute_nodes() {
    nodes_.clear();
    std::vector<log_hash> level = leaves(entries_.size());
    for (int height = 0; !level.empty(); ++height) {
      std::vector<log_hash> parents;
      for (std::size_t i = 0; i < level.size(); ++i) {
        nodes_[{height, i}] = level[i];
        if (i % 2 == 1) {
          parents.push_back(log_parent_value(level[i - 1], height == 0, level[i], height == 0));
        }
      }
      level = std::move(parents);
    }
  }

  const log_keys* keys_;
  std::vector<kt_entry> entries_;
  std::map<std::pair<int, std::uint64_t>, log_hash> nodes_;
};

kt_proof_result verify(const test_log& log, const kt_proof& proof, const kt_retained_view& retained,
                       const u64_vector& required) {
  return verify_kt_proof(log.params(proof.head.tree_size), proof, retained, required);
}

std::optional<kt_proof_error> error_of(const kt_proof_result& result) {
  if (result.verified) {
    return std::nullopt;
  }
  return result.error;
}

// The positions a response needs listed, for each kind of request.
struct required_sets {
  u64_vector search;
  u64_vector monitor;
  u64_vector owner;
};

required_sets required_for(const test_log& log, std::uint64_t tree_size, std::uint64_t monitored,
                           std::uint64_t start) {
  const std::vector<std::uint64_t> timestamps = log.timestamps(tree_size);
  const auto lookup = test::lookup_of(timestamps);
  required_sets sets;
  sets.search = search_ladder_positions(tree_size, window, lookup).value();
  sets.monitor = monitoring_ladder_positions(monitored, tree_size, window, lookup).value();
  sets.monitor.push_back(monitored);
  sets.owner = distinguished_entries_after(start, tree_size, window, lookup, 32).value();
  sets.owner.push_back(start);
  return sets;
}

timestamp_lookup verified_lookup(const kt_verified_proof& verified) {
  return [&verified](std::uint64_t position) -> std::optional<std::uint64_t> {
    const auto it = verified.entries.find(position);
    if (it == verified.entries.end()) {
      return std::nullopt;
    }
    return it->second.timestamp;
  };
}

// One response checked end to end: it verifies, the view to retain is the server's, and the
// client answers the planning functions from the verified entries as the server did.
void check_response(const test_log& log, std::uint64_t tree_size, std::uint64_t last,
                    std::uint64_t monitored, std::uint64_t start) {
  INFO("size " << tree_size << " last " << last << " monitored " << monitored << " start "
               << start);
  const kt_retained_view retained = last == 0 ? kt_retained_view{} : log.view(last);
  const required_sets sets = required_for(log, tree_size, monitored, start);
  const std::vector<std::uint64_t> timestamps = log.timestamps(tree_size);
  const auto full = test::lookup_of(timestamps);
  for (const u64_vector* required : {&sets.search, &sets.monitor, &sets.owner}) {
    const kt_proof proof = log.proof(tree_size, last, *required);
    const kt_proof_result result = verify(log, proof, retained, *required);
    REQUIRE(result.verified);
    const kt_verified_proof& verified = *result.verified;
    CHECK(verified.root == log.root(tree_size));
    CHECK(verified.retained == log.view(tree_size));
    for (const auto& [position, entry] : verified.entries) {
      CHECK(entry == log.entry(position));
    }
    const auto client = verified_lookup(verified);
    if (required == &sets.search) {
      CHECK(search_ladder_positions(tree_size, window, client) ==
            search_ladder_positions(tree_size, window, full));
    } else if (required == &sets.monitor) {
      CHECK(monitoring_ladder_positions(monitored, tree_size, window, client) ==
            monitoring_ladder_positions(monitored, tree_size, window, full));
    } else {
      CHECK(distinguished_entries_after(start, tree_size, window, client, 32) ==
            distinguished_entries_after(start, tree_size, window, full, 32));
    }
  }
}

TEST_CASE("keytrans proof: every response shape verifies and yields the server's view",
          "[keytrans]") {
  std::mt19937_64 rng(2024);
  const log_keys keys;
  const test_log log(1030, rng, keys);
  u64_vector sizes;
  for (std::uint64_t size = 1; size <= 300; ++size) {
    sizes.push_back(size);
  }
  sizes.insert(sizes.end(), {511, 512, 513, 1000, 1023, 1024, 1030});
  for (const std::uint64_t size : sizes) {
    std::uniform_int_distribution<std::uint64_t> position(0, size - 1);
    const u64_vector lasts{0, 1, (size + 1) / 2, size - 1, size, 1 + position(rng)};
    for (const std::uint64_t last : lasts) {
      // The monitored entry and the owner's start lie in the retained part when there is one.
      const std::uint64_t bound = last == 0 ? size : last;
      std::uniform_int_distribution<std::uint64_t> old(0, bound - 1);
      check_response(log, size, last, old(rng), old(rng));
    }
  }
}

TEST_CASE("keytrans proof: a client following the log keeps the same view", "[keytrans]") {
  std::mt19937_64 rng(31);
  const log_keys keys;
  const test_log log(400, rng, keys);
  kt_retained_view retained;
  for (std::uint64_t size = 1; size <= 400; size += 1 + rng() % 7) {
    const u64_vector required = rng() % 2 == 0 ? u64_vector{} : u64_vector{rng() % size};
    const kt_proof proof = log.proof(size, retained.tree_size, required);
    const kt_proof_result result = verify(log, proof, retained, required);
    REQUIRE(result.verified);
    retained = result.verified->retained;
    CHECK(retained == log.view(size));
  }
}

TEST_CASE("keytrans proof: the server reads only complete balanced subtrees", "[keytrans]") {
  std::mt19937_64 rng(3);
  const log_keys keys;
  const test_log log(300, rng, keys);
  for (std::uint64_t size = 1; size <= 300; size += 13) {
    for (const std::uint64_t last : {std::uint64_t{0}, size / 3, size}) {
      const u64_vector required{rng() % size, rng() % size};
      const auto positions =
          kt_proof_entries(size, last == 0 ? std::nullopt : std::optional{last}, required);
      REQUIRE(positions);
      std::vector<log_subtree> asked;
      const auto elements =
          kt_inclusion_elements(size, last, *positions, log.nodes_at(size, &asked));
      REQUIRE(elements);
      for (const log_subtree& subtree : asked) {
        CHECK(std::has_single_bit(subtree.size));
        CHECK(subtree.start % subtree.size == 0);
        CHECK(subtree.start + subtree.size <= size);
      }
      // The same elements make_inclusion_proof computes from every leaf.
      const auto encoded = make_inclusion_proof(log.leaves(size), *positions, last);
      REQUIRE(encoded);
      CHECK(decode_inclusion_proof(*encoded) == elements);
    }
  }
}

TEST_CASE("keytrans proof: kt_inclusion_elements refuses bad input and missing nodes",
          "[keytrans]") {
  std::mt19937_64 rng(4);
  const log_keys keys;
  const test_log log(64, rng, keys);
  const auto nodes = log.nodes_at(64);
  CHECK(kt_inclusion_elements(64, 0, u64_vector{3, 60}, nodes));
  CHECK_FALSE(kt_inclusion_elements(0, 0, {}, nodes));
  CHECK_FALSE(kt_inclusion_elements(64, 65, u64_vector{3}, nodes));
  CHECK_FALSE(kt_inclusion_elements(64, 0, u64_vector{60, 3}, nodes));
  CHECK_FALSE(kt_inclusion_elements(64, 0, u64_vector{3, 3}, nodes));
  CHECK_FALSE(kt_inclusion_elements(64, 0, u64_vector{64}, nodes));
  const log_node_lookup none = [](const log_subtree&) -> std::optional<log_hash> {
    return std::nullopt;
  };
  CHECK_FALSE(kt_inclusion_elements(64, 0, u64_vector{3}, none));
  // Nothing to carry (every leaf retained, none proven): no lookup needed.
  CHECK(kt_inclusion_elements(64, 64, {}, none) == std::vector<log_hash>{});
}

// A mid-size response with everything in it: retained entries re-sent, leaves inside retained
// full subtrees, new entries on the §4.2 list.
struct negative_case {
  std::mt19937_64 rng{77};
  log_keys keys;
  test_log log{260, rng, keys};
  std::uint64_t size = 250;
  std::uint64_t last = 150;
  kt_retained_view retained = log.view(last);
  u64_vector required;
  kt_proof proof;

  negative_case() {
    // A monitored entry well inside the retained part: its root path crosses retained full
    // subtrees and the retained frontier.
    const std::uint64_t monitored = 100;
    required = required_for(log, size, monitored, 90).monitor;
    proof = log.proof(size, last, required);
    REQUIRE(verify(log, proof, retained, required).verified);
  }

  [[nodiscard]] std::optional<kt_proof_error> check() const {
    // The clock of the intended head: a tampered size must not move it.
    return error_of(verify_kt_proof(log.params(size), proof, retained, required));
  }

  std::size_t index_of(std::uint64_t position) const {
    const auto it = std::find_if(proof.entries.begin(), proof.entries.end(),
                                 [&](const kt_entry& e) { return e.position == position; });
    REQUIRE(it != proof.entries.end());
    return static_cast<std::size_t>(it - proof.entries.begin());
  }
};

TEST_CASE("keytrans proof: malformed entries and sizes", "[keytrans]") {
  negative_case c;
  SECTION("unsorted") {
    std::swap(c.proof.entries[0], c.proof.entries[1]);
    CHECK(c.check() == kt_proof_error::malformed);
  }
  SECTION("duplicate") {
    c.proof.entries.insert(c.proof.entries.begin() + 1, c.proof.entries[1]);
    CHECK(c.check() == kt_proof_error::malformed);
  }
  SECTION("past the size") {
    c.proof.entries.push_back(c.log.entry(c.size));
    CHECK(c.check() == kt_proof_error::malformed);
  }
  SECTION("size 0") {
    c.proof.head.tree_size = 0;
    CHECK(c.check() == kt_proof_error::malformed);
  }
  SECTION("head smaller than retained") {
    c.proof = c.log.proof(120, 0, {});
    CHECK(c.check() == kt_proof_error::malformed);
  }
  SECTION("required position past the size") {
    c.required.push_back(c.size);
    CHECK(c.check() == kt_proof_error::malformed);
  }
  SECTION("retained view that does not fit its size") {
    c.retained.full_subtrees.pop_back();
    CHECK(c.check() == kt_proof_error::malformed);
    c.retained = c.log.view(c.last);
    c.retained.frontier.pop_back();
    CHECK(c.check() == kt_proof_error::malformed);
  }
}

TEST_CASE("keytrans proof: the listed set must be exactly the required one", "[keytrans]") {
  negative_case c;
  SECTION("missing") {
    for (std::size_t i = 0; i < c.proof.entries.size(); ++i) {
      kt_proof proof = c.proof;
      proof.entries.erase(proof.entries.begin() + static_cast<std::ptrdiff_t>(i));
      CHECK(error_of(verify(c.log, proof, c.retained, c.required)) ==
            kt_proof_error::missing_entries);
    }
  }
  SECTION("extra") {
    std::set<std::uint64_t> listed;
    for (const kt_entry& e : c.proof.entries) {
      listed.insert(e.position);
    }
    std::uint64_t extra = 0;
    while (listed.contains(extra)) {
      ++extra;
    }
    c.proof.entries.push_back(c.log.entry(extra));
    std::sort(c.proof.entries.begin(), c.proof.entries.end(),
              [](const kt_entry& a, const kt_entry& b) { return a.position < b.position; });
    CHECK(c.check() == kt_proof_error::malformed);
  }
  SECTION("a requirement the proof was not made for") {
    c.required.push_back(7);
    CHECK(c.check() == kt_proof_error::missing_entries);
  }
  SECTION("required positions in any order, repeated") {
    std::reverse(c.required.begin(), c.required.end());
    c.required.push_back(c.required.front());
    CHECK(c.check() == std::nullopt);
  }
}

TEST_CASE("keytrans proof: timestamps out of order", "[keytrans]") {
  negative_case c;
  const auto update = update_view_entries(c.size, c.last).value();
  REQUIRE(update.size() >= 2);
  SECTION("§4.2: below the entry before it on the list") {
    const std::size_t i = c.index_of(update[1]);
    c.proof.entries[i].timestamp = c.log.timestamp(update[0]) - 1;
    CHECK(c.check() == kt_proof_error::timestamps_out_of_order);
  }
  SECTION("§4.2: the first new entry below the retained rightmost one") {
    const std::size_t i = c.index_of(update[0]);
    c.proof.entries[i].timestamp = c.log.timestamp(c.last - 1) - 1;
    CHECK(c.check() == kt_proof_error::timestamps_out_of_order);
  }
  SECTION("§4.1: a left-subtree entry after its ancestor") {
    // The monitored entry 100 lies in the left subtree of its ancestors right of it.
    const auto path = ibst_direct_path(100, c.size).value();
    const auto right_ancestor =
        std::find_if(path.begin(), path.end(), [](std::uint64_t a) { return a > 100; });
    REQUIRE(right_ancestor != path.end());
    c.proof.entries[c.index_of(100)].timestamp = c.log.timestamp(*right_ancestor) + 1;
    CHECK(c.check() == kt_proof_error::timestamps_out_of_order);
  }
  SECTION("§4.1: a right-subtree entry before its ancestor") {
    const auto path = ibst_direct_path(100, c.size).value();
    const auto left_ancestor =
        std::find_if(path.begin(), path.end(), [](std::uint64_t a) { return a < 100; });
    REQUIRE(left_ancestor != path.end());
    REQUIRE(c.log.timestamp(*left_ancestor) > 0);
    c.proof.entries[c.index_of(100)].timestamp = c.log.timestamp(*left_ancestor) - 1;
    CHECK(c.check() == kt_proof_error::timestamps_out_of_order);
  }
  SECTION("fresh client: the frontier must not decrease") {
    c.retained = {};
    c.required.clear();
    c.proof = c.log.proof(c.size, 0, {});
    REQUIRE(c.proof.entries.size() >= 2);
    c.proof.entries.back().timestamp = c.proof.entries[c.proof.entries.size() - 2].timestamp - 1;
    CHECK(c.check() == kt_proof_error::timestamps_out_of_order);
  }
}

TEST_CASE("keytrans proof: altered entries and inclusion elements", "[keytrans]") {
  negative_case c;
  SECTION("a new entry's prefix root: another root, so the signature fails") {
    c.proof.entries.back().prefix_root[5] ^= 0x80;
    CHECK(c.check() == kt_proof_error::bad_signature);
  }
  SECTION("a new entry's timestamp, order kept: the signature fails") {
    c.proof.entries.back().timestamp += 1;
    CHECK(c.check() == kt_proof_error::bad_signature);
  }
  SECTION("a re-sent retained entry") {
    c.proof.entries[c.index_of(c.retained.frontier.front().position)].prefix_root[0] ^= 1;
    CHECK(c.check() == kt_proof_error::retained_mismatch);
  }
  SECTION("a listed leaf inside a retained full subtree") {
    // 100 is retained in the subtree [0, 128) but not on the retained frontier.
    c.proof.entries[c.index_of(100)].prefix_root[0] ^= 1;
    CHECK(c.check() == kt_proof_error::retained_mismatch);
  }
  SECTION("each inclusion element") {
    const auto copath = log_batch_copath(
        c.size,
        [&] {
          u64_vector positions;
          for (const kt_entry& e : c.proof.entries) {
            positions.push_back(e.position);
          }
          return positions;
        }(),
        c.last);
    REQUIRE(copath);
    REQUIRE(copath->size() == c.proof.inclusion.size());
    std::set<kt_proof_error> seen;
    for (std::size_t i = 0; i < c.proof.inclusion.size(); ++i) {
      kt_proof proof = c.proof;
      proof.inclusion[i][31] ^= 1;
      // Inside a retained subtree it recomputes a retained head; elsewhere it changes the root.
      const kt_proof_error expected = (*copath)[i].start < c.last
                                          ? kt_proof_error::retained_mismatch
                                          : kt_proof_error::bad_signature;
      CHECK(error_of(verify(c.log, proof, c.retained, c.required)) == expected);
      seen.insert(expected);
    }
    CHECK(seen.size() == 2);  // the case covers both kinds of element
  }
  SECTION("truncated inclusion") {
    c.proof.inclusion.pop_back();
    CHECK(c.check() == kt_proof_error::inclusion_invalid);
  }
  SECTION("an extra inclusion element") {
    c.proof.inclusion.push_back(c.proof.inclusion.front());
    CHECK(c.check() == kt_proof_error::inclusion_invalid);
  }
  SECTION("no inclusion at all for a fresh client") {
    c.retained = {};
    c.proof = c.log.proof(c.size, 0, c.required);
    c.proof.inclusion.clear();
    CHECK(c.check() == kt_proof_error::inclusion_invalid);
  }
}

TEST_CASE("keytrans proof: signatures", "[keytrans]") {
  negative_case c;
  SECTION("a flipped byte") {
    c.proof.head.signature[10] ^= 1;
    CHECK(c.check() == kt_proof_error::bad_signature);
  }
  SECTION("another key") {
    const ossl::pkey_ptr other = generate_p256_signing_key();
    c.proof.head.signature = c.log.sign(c.size, *other);
    CHECK(c.check() == kt_proof_error::bad_signature);
  }
  SECTION("the head of another size") {
    c.proof.head.signature = c.log.sign(c.size - 1, *c.keys.signing_key);
    CHECK(c.check() == kt_proof_error::bad_signature);
  }
  SECTION("a short signature") {
    c.proof.head.signature.pop_back();
    CHECK(c.check() == kt_proof_error::bad_signature);
  }
  SECTION("another configuration") {
    bytes other = c.keys.encoded_configuration;
    other.back() ^= 1;
    kt_proof_check_params params = c.log.params(c.size);
    params.configuration = other;
    CHECK(error_of(verify_kt_proof(params, c.proof, c.retained, c.required)) ==
          kt_proof_error::bad_signature);
  }
}

TEST_CASE("keytrans proof: the rightmost timestamp against the clock", "[keytrans]") {
  negative_case c;
  kt_proof_check_params params = c.log.params(c.size);
  const std::uint64_t rightmost = c.log.timestamp(c.size - 1);
  const auto check_at = [&](std::uint64_t now) {
    params.now_ms = now;
    return error_of(verify_kt_proof(params, c.proof, c.retained, c.required));
  };
  CHECK(check_at(rightmost + max_behind_ms) == std::nullopt);
  CHECK(check_at(rightmost + max_behind_ms + 1) == kt_proof_error::head_too_old);
  CHECK(check_at(rightmost - max_ahead_ms) == std::nullopt);
  CHECK(check_at(rightmost - max_ahead_ms - 1) == kt_proof_error::head_in_future);
  // Bounds saturate instead of wrapping.
  params.max_ahead_ms = std::numeric_limits<std::uint64_t>::max();
  CHECK(check_at(rightmost) == std::nullopt);
  params.max_behind_ms = std::numeric_limits<std::uint64_t>::max();
  CHECK(check_at(std::numeric_limits<std::uint64_t>::max()) == std::nullopt);
  // Nothing new listed: the retained rightmost timestamp is the one judged.
  const kt_retained_view same = c.log.view(c.size);
  const kt_proof unchanged = c.log.proof(c.size, c.size, {});
  CHECK(unchanged.entries.empty());
  params = c.log.params(c.size);
  params.now_ms = rightmost + max_behind_ms + 1;
  CHECK(error_of(verify_kt_proof(params, unchanged, same, {})) == kt_proof_error::head_too_old);
  params.now_ms = rightmost;
  CHECK(verify_kt_proof(params, unchanged, same, {}).verified);
}

TEST_CASE("keytrans proof: a forked log (same size, another history)", "[keytrans]") {
  negative_case c;
  // Entry 100 is in no frontier; the fork differs there only.
  const test_log fork = c.log.forked_at(100);
  SECTION("a proof that lists the changed entry: the retained subtree does not recompute") {
    const kt_proof proof = fork.proof(c.size, c.last, c.required);
    CHECK(error_of(verify(fork, proof, c.retained, c.required)) ==
          kt_proof_error::retained_mismatch);
    const u64_vector monitored{100};
    const kt_proof same_size = fork.proof(c.last, c.last, monitored);
    CHECK(error_of(verify(fork, same_size, c.retained, monitored)) ==
          kt_proof_error::retained_mismatch);
  }
  SECTION("a proof that does not list it: the root from retained subtrees is not signed") {
    const kt_proof proof = fork.proof(c.size, c.last, {});
    CHECK(error_of(verify(fork, proof, c.retained, {})) == kt_proof_error::bad_signature);
  }
  SECTION("the fork itself is consistent for a client that never saw the original") {
    const kt_proof proof = fork.proof(c.size, 0, c.required);
    CHECK(verify(fork, proof, {}, c.required).verified);
  }
}

// Proofs for logs far too large to build, well-formed up to the hashes: they reach the §12.1
// walk and the signature check, and fail there, without a throw or any work that grows with
// the size.
TEST_CASE("keytrans proof: huge heads fail cleanly", "[keytrans]") {
  std::mt19937_64 rng(8);
  const log_keys keys;
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  for (const std::uint64_t size : {std::uint64_t{1} << 32, std::uint64_t{1} << 63, max - 1, max}) {
    const u64_vector required{0, size / 2, size - 1, rng() % size};
    const auto positions = kt_proof_entries(size, std::nullopt, required);
    REQUIRE(positions);
    kt_proof proof{{size, bytes(p256_signature_size, 0x01)}, {}, {}};
    for (const std::uint64_t position : *positions) {
      // Timestamps that grow with the position keep every §4.1 and §4.2 order.
      proof.entries.push_back(
          {position, 1'700'000'000'000 + position / (1 << 20), random_hash(rng)});
    }
    const auto copath = log_batch_copath(size, *positions, 0);
    REQUIRE(copath);
    for (std::size_t i = 0; i < copath->size(); ++i) {
      proof.inclusion.push_back(random_hash(rng));
    }
    const kt_proof_check_params params{keys.encoded_configuration, keys.public_key,
                                       proof.entries.back().timestamp, max_ahead_ms, max_behind_ms};
    CHECK(error_of(verify_kt_proof(params, proof, {}, required)) == kt_proof_error::bad_signature);
    proof.inclusion.pop_back();
    CHECK(error_of(verify_kt_proof(params, proof, {}, required)) ==
          kt_proof_error::inclusion_invalid);
  }
}

}  // namespace
}  // namespace sealpost::keytrans
