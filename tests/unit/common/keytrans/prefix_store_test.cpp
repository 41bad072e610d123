// The versioned prefix store against the in-memory prefix_tree it must reproduce: after each
// batch of random (and deliberately close) keys the root, and at earlier entries the proofs,
// byte for byte; the whole stored tree rehashed; the rows each insert writes kept to the
// changed nodes; the reads one per level; and the prefix-tree.json vectors through the store.
#include "keytrans/prefix_store.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "keytrans/prefix_tree.hpp"
#include "keytrans_vector_file.hpp"

namespace sealpost::keytrans {
namespace {

using test::hex_array;

// Passes reads through to a memory store and records them, to check that the algorithms read
// one whole level per call, top-down.
class counting_reader final : public prefix_node_reader {
 public:
  explicit counting_reader(memory_prefix_store& store) : store_(store) {}

  std::vector<std::optional<stored_prefix_node>> read_level(
      std::span<const prefix_node_place> places, std::uint64_t at) override {
    REQUIRE_FALSE(places.empty());
    for (const prefix_node_place& place : places) {
      REQUIRE(place.depth == calls);  // depth 0 first, then one level deeper each call
    }
    ++calls;
    places_read += places.size();
    return store_.read_level(places, at);
  }

  std::size_t calls = 0;
  std::size_t places_read = 0;

 private:
  memory_prefix_store& store_;
};

unsigned bit_of(const prefix_search_key& key, unsigned index) {
  return (key[index / 8] >> (7 - index % 8)) & 1U;
}

void set_bit(prefix_search_key& key, unsigned index, unsigned value) {
  const auto mask = static_cast<std::uint8_t>(0x80U >> (index % 8));
  key[index / 8] =
      static_cast<std::uint8_t>(value != 0 ? key[index / 8] | mask : key[index / 8] & ~mask);
}

class key_source {
 public:
  explicit key_source(std::uint64_t seed) : rng_(seed) {}

  prefix_search_key random_key() {
    prefix_search_key key{};
    for (std::uint8_t& byte : key) {
      byte = static_cast<std::uint8_t>(rng_());
    }
    return key;
  }

  // A key that shares exactly `shared` leading bits with `near` (shared < 256).
  prefix_search_key close_to(const prefix_search_key& near, unsigned shared) {
    prefix_search_key key = random_key();
    for (unsigned i = 0; i < shared; ++i) {
      set_bit(key, i, bit_of(near, i));
    }
    set_bit(key, shared, 1 - bit_of(near, shared));
    return key;
  }

  // Mostly random keys, some within 20..60 bits of a known one, a few within 200..255.
  prefix_search_key next_key(const std::vector<prefix_search_key>& known) {
    const unsigned roll = below(100);
    if (known.empty() || roll >= 28) {
      return random_key();
    }
    const prefix_search_key& near = known[below(known.size())];
    return roll < 3 ? close_to(near, 200 + below(56)) : close_to(near, 20 + below(41));
  }

  prefix_hash commitment() { return random_key(); }

  unsigned below(std::size_t bound) {
    return static_cast<unsigned>(std::uniform_int_distribution<std::size_t>(0, bound - 1)(rng_));
  }

 private:
  std::mt19937_64 rng_;
};

std::optional<prefix_hash> commitment_in(const prefix_tree& tree, const prefix_search_key& key) {
  const std::span<const prefix_leaf> leaves = tree.leaves();
  const auto it = std::lower_bound(
      leaves.begin(), leaves.end(), key,
      [](const prefix_leaf& leaf, const prefix_search_key& k) { return leaf.vrf_output < k; });
  if (it == leaves.end() || it->vrf_output != key) {
    return std::nullopt;
  }
  return it->commitment;
}

// The store's proof at `at` equals the tree's, byte for byte, and verifies against its root.
void check_proof(memory_prefix_store& store, std::uint64_t at, const prefix_tree& tree,
                 const std::vector<prefix_search_key>& searches) {
  counting_reader reader(store);
  const std::optional<prefix_proof> stored = prefix_store_prove(reader, at, searches);
  const std::optional<prefix_proof> expected = tree.prove(searches);
  REQUIRE(stored.has_value() == expected.has_value());
  if (!expected) {
    return;
  }
  CHECK(stored->results == expected->results);
  CHECK(stored->elements == expected->elements);
  const bytes encoded = encode_prefix_proof(*stored);
  CHECK(encoded == encode_prefix_proof(*expected));
  if (searches.empty()) {
    CHECK(reader.calls == 0);
    return;
  }
  // Level-synchronous: one read per depth the deepest result reaches, plus the root.
  std::size_t deepest = 0;
  for (const prefix_search_result& result : stored->results) {
    deepest = std::max<std::size_t>(deepest, result.depth);
  }
  CHECK(reader.calls == deepest + 1);
  std::vector<prefix_claim> claims;
  for (const prefix_search_key& key : searches) {
    claims.push_back(commitment_in(tree, key));
  }
  CHECK(verify_prefix_proof(tree.root(), searches, encoded, claims));
}

// Every stored node at `at`, read one place at a time from the root: a parent's hash is that of
// its children, a leaf's that of its leaf and key below its place, and the leaves are exactly
// the tree's. With the root equal to the tree's, the stored tree at `at` is the tree.
class whole_tree_check {
 public:
  whole_tree_check(memory_prefix_store& store, std::uint64_t at) : store_(store), at_(at) {}

  void run(const prefix_tree& tree) {
    const prefix_hash root = value({});
    CHECK(root == tree.root());
    std::sort(leaves_.begin(), leaves_.end(), [](const prefix_leaf& a, const prefix_leaf& b) {
      return a.vrf_output < b.vrf_output;
    });
    CHECK(std::equal(leaves_.begin(), leaves_.end(), tree.leaves().begin(), tree.leaves().end()));
  }

 private:
  prefix_hash value(const prefix_node_place& place) {
    const std::vector<prefix_node_place> places{place};
    const std::optional<stored_prefix_node> node = store_.read_level(places, at_).front();
    if (!node) {
      return prefix_hash{};
    }
    if (node->leaf) {
      CHECK(node->hash == prefix_leaf_hash(*node->leaf));
      CHECK(prefix_place_of(node->leaf->vrf_output, place.depth) == place);
      leaves_.push_back(*node->leaf);
      return node->hash;
    }
    REQUIRE(place.depth < 256);
    const prefix_hash left = value(child(place, 0));
    const prefix_hash right = value(child(place, 1));
    CHECK((left != prefix_hash{} || right != prefix_hash{}));  // a parent has something below
    CHECK(node->hash == prefix_parent_hash(left, right));
    return node->hash;
  }

  static prefix_node_place child(const prefix_node_place& place, unsigned bit) {
    prefix_search_key key{};
    std::copy(place.prefix.begin(), place.prefix.end(), key.begin());
    set_bit(key, place.depth, bit);
    return prefix_place_of(key, static_cast<std::uint16_t>(place.depth + 1));
  }

  memory_prefix_store& store_;
  std::uint64_t at_;
  std::vector<prefix_leaf> leaves_;
};

// The rows of one insert: each at `position`, places unique, the root among them, and each
// one a node that is new or whose value changed since `base`.
void check_rows(memory_prefix_store& store, std::optional<std::uint64_t> base,
                const prefix_store_insert_result& inserted, std::uint64_t position) {
  std::set<prefix_node_place> places;
  bool has_root = false;
  for (const stored_prefix_node& row : inserted.rows) {
    CHECK(row.position == position);
    CHECK(places.insert(row.place).second);
    if (row.place.depth == 0) {
      has_root = true;
      CHECK(row.hash == inserted.root);
    }
    if (base) {
      const std::vector<prefix_node_place> one{row.place};
      const std::optional<stored_prefix_node> before = store.read_level(one, *base).front();
      CHECK((!before || before->hash != row.hash));
    }
  }
  CHECK(has_root);
}

struct history {
  memory_prefix_store store;
  std::vector<std::uint64_t> positions;  // ascending, with gaps
  std::vector<prefix_tree> trees;        // trees[i]: the leaves inserted at positions[0..i]
  std::vector<prefix_search_key> keys;   // every key inserted

  // The tree as of entry `at`.
  [[nodiscard]] prefix_tree tree_at(std::uint64_t at) const {
    const auto count = static_cast<std::size_t>(
        std::upper_bound(positions.begin(), positions.end(), at) - positions.begin());
    return count == 0 ? prefix_tree{} : trees[count - 1];
  }

  struct inserted_batch {
    prefix_store_insert_result result;
    std::size_t calls = 0;        // read_level calls the insert made
    std::size_t places_read = 0;  // places it asked for
  };

  inserted_batch insert_batch(const std::vector<prefix_leaf>& batch, std::uint64_t position) {
    const std::optional<std::uint64_t> base =
        positions.empty() ? std::nullopt : std::optional<std::uint64_t>(positions.back());
    counting_reader reader(store);
    const prefix_store_insert_result inserted = prefix_store_insert(reader, base, batch, position);
    prefix_tree tree = trees.empty() ? prefix_tree{} : trees.back();
    for (const prefix_leaf& leaf : batch) {
      REQUIRE(tree.insert(leaf));
      keys.push_back(leaf.vrf_output);
    }
    CHECK(inserted.root == tree.root());
    check_rows(store, base, inserted, position);
    if (!base) {
      CHECK(reader.calls == 0);  // an empty tree needs no reads
    }
    store.store(inserted.rows);
    positions.push_back(position);
    trees.push_back(std::move(tree));
    CHECK(prefix_store_root(store, position) == trees.back().root());
    return {inserted, reader.calls, reader.places_read};
  }
};

// Searches at `at`: keys in the tree then, keys only added later, keys close to included ones,
// random ones, and repeats.
std::vector<prefix_search_key> searches_for(key_source& source, const history& h,
                                            const prefix_tree& then) {
  std::vector<prefix_search_key> searches;
  const std::size_t count = 1 + source.below(40);
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned kind = source.below(6);
    if (kind == 0 && then.size() > 0) {
      searches.push_back(then.leaves()[source.below(then.size())].vrf_output);
    } else if (kind == 1 && !h.keys.empty()) {
      searches.push_back(h.keys[source.below(h.keys.size())]);
    } else if (kind == 2 && then.size() > 0) {
      searches.push_back(
          source.close_to(then.leaves()[source.below(then.size())].vrf_output, source.below(80)));
    } else if (kind == 3 && !searches.empty()) {
      searches.push_back(searches[source.below(searches.size())]);
    } else {
      searches.push_back(source.random_key());
    }
  }
  return searches;
}

TEST_CASE("keytrans: prefix store matches the in-memory tree at every entry", "[keytrans]") {
  key_source source(0x5EA1'9057'0001ULL);
  history h;
  std::uint64_t position = 3;
  for (int batch_number = 0; batch_number < 30; ++batch_number) {
    // Two single-leaf batches first (a one-leaf tree, then a leaf moving down), then mixed.
    const std::size_t size = batch_number < 2 || source.below(5) == 0 ? 1 : 1 + source.below(300);
    std::vector<prefix_leaf> batch;
    std::set<prefix_search_key> seen(h.keys.begin(), h.keys.end());
    std::vector<prefix_search_key> known = h.keys;
    while (batch.size() < size) {
      const prefix_search_key key = source.next_key(known);
      if (seen.insert(key).second) {
        batch.push_back({key, source.commitment()});
        known.push_back(key);
      }
    }
    INFO("batch " << batch_number << " of " << size << " at position " << position);
    h.insert_batch(batch, position);
    whole_tree_check(h.store, position).run(h.trees.back());

    // Proofs now and at earlier entries, including ones between positions and before the first.
    for (int probe = 0; probe < 4; ++probe) {
      const std::uint64_t at = probe == 0 ? position : source.below(position + 1);
      INFO("proof at " << at);
      const prefix_tree then = h.tree_at(at);
      check_proof(h.store, at, then, searches_for(source, h, then));
    }
    if (batch_number % 10 == 9) {
      const std::uint64_t at = h.positions[source.below(h.positions.size())];
      whole_tree_check(h.store, at).run(h.tree_at(at));
    }
    position += 1 + source.below(3);
  }
  CHECK(h.keys.size() > 2000);
  // No search at all: no results, no elements, no reads; too many: refused as prove() does.
  check_proof(h.store, position, h.trees.back(), {});
  CHECK_FALSE(prefix_store_prove(h.store, position, std::vector<prefix_search_key>(256)));
  // 255 searches, all of them the same key: one path, one result each.
  check_proof(h.store, position, h.trees.back(),
              std::vector<prefix_search_key>(255, h.keys.front()));
}

TEST_CASE("keytrans: prefix store, empty and single-leaf trees, a leaf moving down", "[keytrans]") {
  key_source source(7);
  memory_prefix_store store;
  const prefix_search_key probe = source.random_key();
  CHECK(prefix_store_root(store, 0) == prefix_hash{});
  check_proof(store, 0, prefix_tree{}, {probe, probe});

  // One leaf: it is the root, one row.
  const prefix_leaf first{source.random_key(), source.commitment()};
  const prefix_store_insert_result one = prefix_store_insert(store, std::nullopt, {&first, 1}, 5);
  REQUIRE(one.rows.size() == 1);
  CHECK(one.rows[0].place == prefix_node_place{});
  CHECK(one.rows[0].leaf == first);
  CHECK(one.root == prefix_leaf_hash(first));
  store.store(one.rows);
  prefix_tree single;
  REQUIRE(single.insert(first));
  check_proof(store, 5, single, {first.vrf_output, probe});
  check_proof(store, 4, prefix_tree{}, {first.vrf_output});  // before it: still empty

  // A key sharing 30 bits: the root becomes a parent, 30 parents then two leaves at depth 31.
  const prefix_leaf second{source.close_to(first.vrf_output, 30), source.commitment()};
  counting_reader reader(store);
  const prefix_store_insert_result two = prefix_store_insert(reader, 5, {&second, 1}, 6);
  CHECK(reader.calls == 1);  // the root only: the walk ends at the old leaf
  CHECK(two.rows.size() == 33);
  for (const stored_prefix_node& row : two.rows) {
    if (row.leaf) {
      CHECK(row.place.depth == 31);
      CHECK((*row.leaf == first || *row.leaf == second));
    } else {
      CHECK(row.place.depth <= 30);
      CHECK(row.place == prefix_place_of(first.vrf_output, row.place.depth));
    }
  }
  store.store(two.rows);
  prefix_tree pair = single;
  REQUIRE(pair.insert(second));
  CHECK(two.root == pair.root());
  check_proof(store, 6, pair, {first.vrf_output, second.vrf_output, probe, second.vrf_output});
  check_proof(store, 5, single, {second.vrf_output, first.vrf_output});
  whole_tree_check(store, 6).run(pair);
  whole_tree_check(store, 5).run(single);

  // Nothing new: no rows, and the root is the base's.
  const prefix_store_insert_result none = prefix_store_insert(store, 6, {}, 7);
  CHECK(none.rows.empty());
  CHECK(none.root == pair.root());
  CHECK(prefix_store_insert(store, std::nullopt, {}, 0).root == prefix_hash{});
}

TEST_CASE("keytrans: prefix store, keys that share 255 bits", "[keytrans]") {
  key_source source(19);
  const prefix_leaf first{source.random_key(), source.commitment()};
  const prefix_leaf second{source.close_to(first.vrf_output, 255), source.commitment()};
  const prefix_leaf other{source.close_to(first.vrf_output, 0), source.commitment()};
  memory_prefix_store store;
  const prefix_store_insert_result inserted =
      prefix_store_insert(store, std::nullopt, std::vector<prefix_leaf>{first, second, other}, 0);
  store.store(inserted.rows);
  prefix_tree tree;
  for (const prefix_leaf& leaf : {first, second, other}) {
    REQUIRE(tree.insert(leaf));
  }
  CHECK(inserted.root == tree.root());
  CHECK(inserted.rows.size() == 259);  // parents at depths 0..255, leaves at 256, 256 and 1
  whole_tree_check(store, 0).run(tree);
  // A result at depth 256 does not fit its uint8: refused by both, as prove() documents.
  CHECK_FALSE(prefix_store_prove(store, 0, std::vector<prefix_search_key>{first.vrf_output}));
  check_proof(store, 0, tree, {first.vrf_output});
  check_proof(store, 0, tree, {other.vrf_output, source.close_to(first.vrf_output, 254)});
}

TEST_CASE("keytrans: prefix store writes only the path of a single new leaf", "[keytrans]") {
  key_source source(11);
  history h;
  std::vector<prefix_leaf> start;
  std::set<prefix_search_key> seen;
  while (start.size() < 1000) {
    const prefix_search_key key = source.next_key({});
    if (seen.insert(key).second) {
      start.push_back({key, source.commitment()});
    }
  }
  h.insert_batch(start, 0);
  for (std::uint64_t position = 1; position <= 200; ++position) {
    const prefix_search_key key = source.next_key(h.keys);
    if (!seen.insert(key).second) {
      continue;
    }
    const prefix_leaf leaf{key, source.commitment()};
    const history::inserted_batch inserted = h.insert_batch({leaf}, position);
    const std::vector<stored_prefix_node>& rows = inserted.result.rows;
    const auto own = std::find_if(rows.begin(), rows.end(),
                                  [&](const stored_prefix_node& row) { return row.leaf == leaf; });
    REQUIRE(own != rows.end());
    const std::size_t depth = own->place.depth;
    CHECK(rows.size() <= depth + 2);
    // Every row is on the new key's path, but for the leaf it displaced (its sibling).
    std::size_t off_path = 0;
    for (const stored_prefix_node& row : rows) {
      if (row.place != prefix_place_of(key, row.place.depth)) {
        ++off_path;
        CHECK(row.leaf);
        CHECK(row.place.depth == depth);
      }
    }
    CHECK(off_path <= 1);
    CHECK(inserted.calls <= depth + 1);
    CHECK(inserted.places_read <= 2 * depth + 1);  // the path and its siblings
  }
  whole_tree_check(h.store, h.positions.back()).run(h.trees.back());
}

TEST_CASE("keytrans: prefix store reads one level per call for a large batch", "[keytrans]") {
  key_source source(13);
  memory_prefix_store store;
  std::set<prefix_search_key> seen;
  auto fresh_leaves = [&](std::size_t count) {
    std::vector<prefix_leaf> leaves;
    while (leaves.size() < count) {
      const prefix_search_key key = source.random_key();
      if (seen.insert(key).second) {
        leaves.push_back({key, source.commitment()});
      }
    }
    return leaves;
  };
  const std::vector<prefix_leaf> start = fresh_leaves(20000);
  store.store(prefix_store_insert(store, std::nullopt, start, 0).rows);
  const std::vector<prefix_leaf> batch = fresh_leaves(2000);
  counting_reader reader(store);
  const prefix_store_insert_result inserted = prefix_store_insert(reader, 0, batch, 1);
  std::uint16_t deepest = 0;
  for (const stored_prefix_node& row : inserted.rows) {
    deepest = std::max(deepest, row.place.depth);
  }
  CHECK(reader.calls <= std::size_t{deepest} + 1);
  // Each new key's path and its siblings, at most: O(batch x depth).
  CHECK(reader.places_read <= 2 * batch.size() * (std::size_t{deepest} + 1));
  CHECK(inserted.rows.size() <= batch.size() * (std::size_t{deepest} + 2));

  // The reference, built in ascending order so that each insert appends.
  std::vector<prefix_leaf> all = start;
  all.insert(all.end(), batch.begin(), batch.end());
  std::sort(all.begin(), all.end(),
            [](const prefix_leaf& a, const prefix_leaf& b) { return a.vrf_output < b.vrf_output; });
  prefix_tree tree;
  for (const prefix_leaf& leaf : all) {
    REQUIRE(tree.insert(leaf));
  }
  CHECK(inserted.root == tree.root());
}

// Records every place a walk asks for (any order of depths), answering from a memory store.
class recording_reader final : public prefix_node_reader {
 public:
  explicit recording_reader(memory_prefix_store& store) : store_(store) {}

  std::vector<std::optional<stored_prefix_node>> read_level(
      std::span<const prefix_node_place> places, std::uint64_t at) override {
    asked.insert(places.begin(), places.end());
    return store_.read_level(places, at);
  }

  std::set<prefix_node_place> asked;

 private:
  memory_prefix_store& store_;
};

TEST_CASE("keytrans: prefix_walk_places covers every place a walk reads, and no more levels",
          "[keytrans]") {
  key_source source(29);
  memory_prefix_store store;
  std::vector<prefix_leaf> leaves;
  std::vector<prefix_search_key> known;
  for (int i = 0; i < 3000; ++i) {
    const prefix_search_key key = source.next_key(known);
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      known.push_back(key);
      leaves.push_back({key, source.commitment()});
    }
  }
  store.store(prefix_store_insert(store, std::nullopt, leaves, 0).rows);

  // A proof's searches: present keys, absent ones, and one close to a present key.
  const std::vector<prefix_search_key> searches{known[7], source.random_key(), known[1500],
                                                source.close_to(known[42], 230)};
  recording_reader reader(store);
  REQUIRE(prefix_store_prove(reader, 0, searches));
  REQUIRE_FALSE(reader.asked.empty());
  const std::vector<prefix_node_place> ahead = prefix_walk_places(searches, 0, 256);
  for (const prefix_node_place& place : reader.asked) {
    INFO("depth " << place.depth);
    CHECK(std::binary_search(ahead.begin(), ahead.end(), place));
  }
  // A window gives exactly its depths: the root alone at 0, paths and siblings below.
  const std::vector<prefix_node_place> window = prefix_walk_places(searches, 0, 3);
  CHECK(std::is_sorted(window.begin(), window.end()));
  CHECK(std::all_of(window.begin(), window.end(),
                    [](const prefix_node_place& p) { return p.depth <= 3; }));
  CHECK(std::count_if(window.begin(), window.end(),
                      [](const prefix_node_place& p) { return p.depth == 0; }) == 1);
  CHECK(std::count_if(window.begin(), window.end(),
                      [](const prefix_node_place& p) { return p.depth == 1; }) == 2);
  CHECK(prefix_walk_places(searches, 250, 300).back().depth == 256);
}

TEST_CASE("keytrans: prefix store refuses duplicates and a corrupted reader", "[keytrans]") {
  key_source source(17);
  memory_prefix_store store;
  std::vector<prefix_leaf> leaves;
  for (int i = 0; i < 50; ++i) {
    leaves.push_back({source.random_key(), source.commitment()});
  }
  store.store(prefix_store_insert(store, std::nullopt, leaves, 1).rows);
  const std::size_t rows = store.row_count();

  std::vector<prefix_leaf> twice{leaves[0], leaves[0]};
  twice[0].vrf_output = source.random_key();
  twice[1].vrf_output = twice[0].vrf_output;
  CHECK_THROWS_AS(prefix_store_insert(store, 1, twice, 2), std::invalid_argument);
  // A key already in the tree, even under another commitment, alone or among new ones.
  prefix_leaf again = leaves[7];
  again.commitment[0] ^= 0x01;
  CHECK_THROWS_AS(prefix_store_insert(store, 1, {&again, 1}, 2), std::invalid_argument);
  const std::vector<prefix_leaf> mixed{{source.random_key(), source.commitment()}, again};
  CHECK_THROWS_AS(prefix_store_insert(store, 1, mixed, 2), std::invalid_argument);
  // Entries only move forward.
  const prefix_leaf fresh{source.random_key(), source.commitment()};
  CHECK_THROWS_AS(prefix_store_insert(store, 1, {&fresh, 1}, 1), std::invalid_argument);
  CHECK(store.row_count() == rows);

  // Readers whose answers cannot be the tree.
  struct broken_reader final : prefix_node_reader {
    memory_prefix_store& store;
    int fault;
    broken_reader(memory_prefix_store& s, int f) : store(s), fault(f) {}
    std::vector<std::optional<stored_prefix_node>> read_level(
        std::span<const prefix_node_place> places, std::uint64_t at) override {
      std::vector<std::optional<stored_prefix_node>> nodes = store.read_level(places, at);
      for (std::optional<stored_prefix_node>& node : nodes) {
        if (!node) {
          continue;
        }
        if (fault == 1 && node->leaf) {
          node->leaf->vrf_output[0] ^= 0x80;  // a leaf off its place
        } else if (fault == 2) {
          node->place.depth = static_cast<std::uint16_t>(node->place.depth + 1);
        } else if (fault == 3) {
          node->position = at + 1;
        }
      }
      if (fault == 0) {
        nodes.pop_back();
      }
      return nodes;
    }
  };
  // Both walks end at leaves[3]'s leaf, so a fault in leaves shows too.
  const std::vector<prefix_search_key> searches{leaves[3].vrf_output, source.random_key()};
  const prefix_leaf close{source.close_to(leaves[3].vrf_output, 100), source.commitment()};
  for (int fault = 0; fault < 4; ++fault) {
    INFO("fault " << fault);
    broken_reader reader(store, fault);
    CHECK_THROWS_AS(prefix_store_prove(reader, 1, searches), std::runtime_error);
    CHECK_THROWS_AS(prefix_store_insert(reader, 1, {&close, 1}, 2), std::runtime_error);
    if (fault != 1) {  // the root is a parent
      CHECK_THROWS_AS(prefix_store_root(reader, 1), std::runtime_error);
    }
  }
}

TEST_CASE("keytrans: prefix node places", "[keytrans]") {
  prefix_search_key key{};
  key.fill(0xFF);
  CHECK(prefix_place_of(key, 0) == prefix_node_place{0, {}});
  CHECK(prefix_place_of(key, 1) == prefix_node_place{1, {0x80}});
  CHECK(prefix_place_of(key, 8) == prefix_node_place{8, {0xFF}});
  CHECK(prefix_place_of(key, 11) == prefix_node_place{11, {0xFF, 0xE0}});
  CHECK(prefix_place_of(key, 256).prefix == bytes(key.begin(), key.end()));
  CHECK_THROWS_AS(prefix_place_of(key, 257), std::invalid_argument);
  // Depth orders before prefix, so one level's places are contiguous, as in the primary key.
  CHECK(prefix_node_place{1, {0x80}} < prefix_node_place{2, {0x00}});
}

TEST_CASE("keytrans: prefix store reproduces the prefix-tree.json vectors", "[keytrans]") {
  int cases = 0;
  for (const boost::json::value& entry : test::load_keytrans_cases("prefix-tree.json")) {
    const boost::json::object& v = entry.as_object();
    INFO(std::string(v.at("name").as_string()));
    const boost::json::object& input = v.at("input").as_object();
    const boost::json::object& expect = v.at("expect").as_object();
    std::vector<prefix_leaf> leaves;
    for (const boost::json::value& e : input.at("entries").as_array()) {
      leaves.push_back({hex_array<prefix_search_key>(e.as_object(), "vrf_output"),
                        hex_array<prefix_hash>(e.as_object(), "commitment")});
    }
    std::vector<prefix_search_key> searches;
    for (const boost::json::value& s : input.at("searches").as_array()) {
      const bytes key = test::hex_bytes(std::string_view(s.as_string()));
      REQUIRE(key.size() == prefix_search_key_size);
      searches.emplace_back();
      std::copy(key.begin(), key.end(), searches.back().begin());
    }
    const prefix_hash root = hex_array<prefix_hash>(expect, "root");
    const bytes proof_bytes = test::hex_field(expect, "proof");

    // All in one batch.
    memory_prefix_store store;
    const prefix_store_insert_result all = prefix_store_insert(store, std::nullopt, leaves, 0);
    CHECK(all.root == root);
    store.store(all.rows);
    std::optional<prefix_proof> proof = prefix_store_prove(store, 0, searches);
    REQUIRE(proof);
    CHECK(encode_prefix_proof(*proof) == proof_bytes);

    // In two batches: the same at the second entry, the first half's tree at the first.
    memory_prefix_store halves;
    const auto half = static_cast<std::ptrdiff_t>(leaves.size() / 2);
    const std::vector<prefix_leaf> first(leaves.begin(), leaves.begin() + half);
    const std::vector<prefix_leaf> second(leaves.begin() + half, leaves.end());
    halves.store(prefix_store_insert(halves, std::nullopt, first, 0).rows);
    halves.store(prefix_store_insert(halves, 0, second, 1).rows);
    CHECK(prefix_store_root(halves, 1) == root);
    proof = prefix_store_prove(halves, 1, searches);
    REQUIRE(proof);
    CHECK(encode_prefix_proof(*proof) == proof_bytes);
    prefix_tree first_tree;
    for (const prefix_leaf& leaf : first) {
      REQUIRE(first_tree.insert(leaf));
    }
    check_proof(halves, 0, first_tree, searches);
    ++cases;
  }
  CHECK(cases == 11);
}

}  // namespace
}  // namespace sealpost::keytrans
