// The versioned prefix tree the server keeps in Postgres (DESIGN.md "Key transparency, stage 1",
// table kt_prefix_nodes): one row per node value, valid from the log entry that wrote it until
// a later row for the same place replaces it. The tree at entry e is therefore the set of rows
// with the greatest position <= e for each place, and it is exactly the in-memory prefix_tree
// (prefix_tree.hpp) that holds the leaves inserted at entries <= e.
//
// Why this holds: a node's kind at a place only ever goes missing -> leaf -> parent as keys are
// added (no deletions in stage 1), so a place that exists at e never lacks a row <= e, and the
// walks below only descend through parents, never reaching rows of places created after e.
//
// Both algorithms are level-synchronous: they ask the reader for every node of one depth in one
// call, so a SQL reader does one query per level, and the work is O(batch x depth), never
// proportional to the tree size. This file does no SQL.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "keytrans/prefix_tree.hpp"
#include "keytrans/tls_codec.hpp"

namespace sealpost::keytrans {

// A node's place: the first `depth` bits of the keys below it, packed MSB-first into
// ceil(depth/8) bytes, unused low bits of the last byte zero (depth 0: empty).
struct prefix_node_place {
  std::uint16_t depth = 0;
  bytes prefix;
  friend auto operator<=>(const prefix_node_place&, const prefix_node_place&) = default;
};

// The place at `depth` on `key`'s path. Throws std::invalid_argument for a depth past the key's
// 256 bits.
prefix_node_place prefix_place_of(const prefix_search_key& key, std::uint16_t depth);

// One kt_prefix_nodes row.
struct stored_prefix_node {
  prefix_node_place place;
  std::uint64_t position = 0;  // the entry from which this value holds
  prefix_hash hash{};
  std::optional<prefix_leaf> leaf;  // present exactly for a leaf node
  friend bool operator==(const stored_prefix_node&, const stored_prefix_node&) = default;
};

// Reads the tree as it is at entry `at`. The algorithms walk level by level and ask for all
// nodes of one depth in ONE call (so a SQL reader does one query per level).
class prefix_node_reader {
 public:
  virtual ~prefix_node_reader() = default;
  // For each place (all of the same depth), the node with the greatest position <= at, or
  // nullopt when there is none (a missing node). Result in the order of `places`; each node's
  // `place` is the place asked for.
  virtual std::vector<std::optional<stored_prefix_node>> read_level(
      std::span<const prefix_node_place> places, std::uint64_t at) = 0;
};

// The algorithms below throw std::runtime_error when the reader's answer cannot be the tree
// at that entry (a count that differs from the places asked, a node for another place or from
// a later position, a leaf whose key is not below its place, a parent at depth 256): a
// corrupted store is reported, never turned into a wrong root or proof.

// The root at entry `at` (all zeros when the tree is empty then).
prefix_hash prefix_store_root(prefix_node_reader& reader, std::uint64_t at);

// Inserts `new_leaves` (search keys distinct from each other and from every key in the tree
// at entry `base`) as entry `position`'s change; `base` is the previous entry (nullopt when
// `position` is the first entry / the tree is empty). Returns the rows to store with
// position = `position`: every node whose value changes or that is new, including leaves that
// move down, sorted by place. The root row (depth 0) is always among them (unless new_leaves
// is empty: then nothing, and `root` is the root at `base`). Throws std::invalid_argument for a
// duplicate key or a `position` not after `base`.
struct prefix_store_insert_result {
  std::vector<stored_prefix_node> rows;
  prefix_hash root{};
};
prefix_store_insert_result prefix_store_insert(prefix_node_reader& reader,
                                               std::optional<std::uint64_t> base,
                                               std::span<const prefix_leaf> new_leaves,
                                               std::uint64_t position);

// Every place a walk along `keys` (prefix_store_prove's, or an insertion's) can ask for at the
// depths from `first` to `last` inclusive: the node on each key's path and, below the root,
// its sibling; sorted, without repeats. What a reader may read ahead in one query so that a
// walk of d levels does not take d queries.
std::vector<prefix_node_place> prefix_walk_places(std::span<const prefix_search_key> keys,
                                                  std::uint16_t first, std::uint16_t last);

// The PrefixProof for `searches` (repeats allowed, at most max_prefix_searches) in the tree at
// entry `at`, identical to prefix_tree::prove on that tree. nullopt as prove() gives it.
std::optional<prefix_proof> prefix_store_prove(prefix_node_reader& reader, std::uint64_t at,
                                               std::span<const prefix_search_key> searches);

// An in-memory reader/writer over stored rows (for tests and for `admin kt verify`).
class memory_prefix_store final : public prefix_node_reader {
 public:
  // Adds the rows; a row for a (place, position) already stored replaces it, as an upsert
  // would.
  void store(std::span<const stored_prefix_node> rows);
  std::vector<std::optional<stored_prefix_node>> read_level(
      std::span<const prefix_node_place> places, std::uint64_t at) override;
  [[nodiscard]] std::size_t row_count() const noexcept { return row_count_; }

 private:
  // Each place's values by the position they start at.
  std::map<prefix_node_place, std::map<std::uint64_t, stored_prefix_node>> nodes_;
  std::size_t row_count_ = 0;
};

}  // namespace sealpost::keytrans
