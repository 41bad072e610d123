// Bit-level helpers that the in-memory prefix tree (prefix_tree.cpp) and the versioned store
// (prefix_store.cpp) share, so both split keys the same way and build the same trie.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <utility>

#include "keytrans/prefix_tree.hpp"

namespace sealpost::keytrans::detail {

inline constexpr unsigned prefix_key_bits = prefix_search_key_size * 8;

// Bit `index` of the key, most significant bit of byte 0 first: the bit that picks the child
// at depth `index`. `index` must be below prefix_key_bits.
inline unsigned prefix_key_bit(const prefix_search_key& key, unsigned index) {
  return (key[index / 8] >> (7 - index % 8)) & 1U;
}

// Leaves that share the first `depth` bits, sorted by key: those with bit `depth` = 0 come
// first, so the split is a partition point.
inline std::pair<std::span<const prefix_leaf>, std::span<const prefix_leaf>> split_prefix_leaves(
    std::span<const prefix_leaf> leaves, unsigned depth) {
  const auto middle = std::partition_point(
      leaves.begin(), leaves.end(),
      [depth](const prefix_leaf& leaf) { return prefix_key_bit(leaf.vrf_output, depth) == 0; });
  const auto left_size = static_cast<std::size_t>(middle - leaves.begin());
  return {leaves.first(left_size), leaves.subspan(left_size)};
}

}  // namespace sealpost::keytrans::detail
