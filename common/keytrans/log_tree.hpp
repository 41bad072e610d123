// The KEYTRANS log tree (draft §3.2, §11.8, §12.1): leaf and parent values, the full subtrees
// that let the sequencer append without the whole tree, and batch inclusion proofs (which carry
// the consistency proof too: the draft has no separate one, a verifier that retained the full
// subtrees of an older size gets exactly the values it lacks, §12.1).
//
// Positions are uint64 and every function does work bounded by the number of leaves it is
// given times 64 (the tree height), never by the tree size.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "keytrans/tls_codec.hpp"

namespace sealpost::keytrans {

// Hash.Nh of KT_128_SHA256_P256 (SHA-256).
inline constexpr std::size_t log_hash_size = 32;
using log_hash = std::array<std::uint8_t, log_hash_size>;

// §11.8 LogEntry: the timestamp (ms since the Unix epoch) and the prefix tree root after it.
struct log_entry {
  std::uint64_t timestamp = 0;
  log_hash prefix_tree{};
};

// A subtree of the log: the leaves [start, start + size). The ones the proofs deal in are
// balanced (size a power of two, start a multiple of it), and those are nodes of every log
// tree that holds all their leaves.
struct log_subtree {
  std::uint64_t start = 0;
  std::uint64_t size = 0;

  [[nodiscard]] bool is_leaf() const noexcept { return size == 1; }
  // log-math.json's flat numbering: leaf i is 2i, balanced [s, s+len) is 2s+len-1 (wraps for
  // positions past 2^63; the proofs never use it).
  [[nodiscard]] std::uint64_t flat_index() const noexcept { return 2 * start + size - 1; }
  // For a balanced subtree: it is [index * 2^level, (index + 1) * 2^level) (the key of
  // DESIGN.md's kt_log_nodes).
  [[nodiscard]] int level() const noexcept { return std::countr_zero(size); }
  [[nodiscard]] std::uint64_t index_at_level() const noexcept { return start >> level(); }
  friend bool operator==(const log_subtree&, const log_subtree&) = default;
};

// §11.8: the leaf value, Hash(LogEntry) with the entry in its TLS encoding (40 bytes).
// Throws std::runtime_error only when OpenSSL fails.
[[nodiscard]] log_hash log_leaf_value(const log_entry& entry);

// §11.8: Hash(hashContent(left) || hashContent(right)), where hashContent prefixes a leaf's
// value with 0x00 and a parent's with 0x01. Throws std::runtime_error only when OpenSSL fails.
[[nodiscard]] log_hash log_parent_value(const log_hash& left, bool left_is_leaf,
                                        const log_hash& right, bool right_is_leaf);

// The full subtrees of a tree of `tree_size` leaves, left to right: the largest balanced
// subtrees, one per set bit of the size (none for 0, at most 64).
[[nodiscard]] std::vector<log_subtree> log_full_subtrees(std::uint64_t tree_size);

// The value of the subtree's head, computed from every leaf value of the tree (a node of the
// tree: balanced, or running to the tree's last leaf from a full subtree's start). Throws
// std::out_of_range when the subtree is empty or not inside `leaves`. O(subtree size).
[[nodiscard]] log_hash log_subtree_value(std::span<const log_hash> leaves,
                                         const log_subtree& subtree);

// The root of the tree whose leaf values are `leaves`. Throws std::out_of_range when empty.
[[nodiscard]] log_hash log_tree_root(std::span<const log_hash> leaves);

// What the sequencer (and an auditor, §15.2) retains instead of the tree: its size and the
// values of its full subtrees, left to right.
struct log_full_subtree_state {
  std::uint64_t size = 0;
  std::vector<log_hash> heads;
};

// A balanced subtree with its value.
struct log_node {
  log_subtree subtree;
  log_hash value{};
};

struct log_append_result {
  log_full_subtree_state state;
  // The balanced subtrees the new leaf completed (those ending at the new size), bottom up:
  // the leaf itself first, the new state's last head last. A sequencer that stores each of them
  // has every node a later proof can ask for.
  std::vector<log_node> completed;
};

// Appends one leaf: the new state (each equal-size pair of heads merges, like a binary carry).
// Nullopt when `state` is malformed (head count is not the size's bit count) or full.
[[nodiscard]] std::optional<log_append_result> log_append_leaf(const log_full_subtree_state& state,
                                                               const log_hash& leaf_value);

// The root the full subtrees fold to, right to left. Nullopt when malformed or empty.
[[nodiscard]] std::optional<log_hash> log_root_from_full_subtrees(
    const log_full_subtree_state& state);

// §12.1 batch proof structure: the balanced subtrees whose values a proof carries, in the
// draft's left-to-right order, so that a verifier holding the proven leaves' values and the
// full subtrees of `retained_size` (0: none) computes the root of a tree of `tree_size`.
// Inside a retained subtree that holds a proven leaf the proof still carries the leaf's
// copath: the verifier recomputes that head and must find the value it retained.
// Nullopt when `tree_size` is 0, `retained_size` > `tree_size`, or `proven_leaves` is not
// strictly ascending below `tree_size`.
[[nodiscard]] std::optional<std::vector<log_subtree>> log_batch_copath(
    std::uint64_t tree_size, std::span<const std::uint64_t> proven_leaves,
    std::uint64_t retained_size);

// InclusionProof (§12.1): uint16 element count (§2.1: vector lengths count elements), then the
// 32-byte values. Nullopt when there are more than 65535 elements.
[[nodiscard]] std::optional<bytes> encode_inclusion_proof(std::span<const log_hash> elements);
// Nullopt unless `encoded` is exactly one InclusionProof.
[[nodiscard]] std::optional<std::vector<log_hash>> decode_inclusion_proof(
    std::span<const std::uint8_t> encoded);

// The encoded proof for `proven_leaves` against `retained_size`, from every leaf value of the
// tree (the tree size is leaves.size()). Nullopt as log_batch_copath, or when too long to encode.
[[nodiscard]] std::optional<bytes> make_inclusion_proof(
    std::span<const log_hash> leaves, std::span<const std::uint64_t> proven_leaves,
    std::uint64_t retained_size);

struct proven_log_leaf {
  std::uint64_t index = 0;
  log_hash value{};
};

// What a verified proof establishes: the root, and the full subtrees of the new size (every
// one lies on the proof's walk), which the verifier retains for its next proof.
struct log_proof_result {
  log_hash root{};
  std::vector<log_hash> full_subtrees;
};

// Evaluates an encoded InclusionProof for `leaves` (strictly ascending indices) in a tree of
// `tree_size`, given the retained full subtrees of `retained_size` (0 and empty: none). The
// caller compares `root` with the signed one. Nullopt, never a throw, on any bad input: a
// malformed proof or one with too few or too many elements, leaves out of order or range,
// retained heads that do not fit `retained_size`, or a retained head that the proof's leaves
// recompute to another value (§12.1's MUST). Throws std::runtime_error only when OpenSSL fails.
[[nodiscard]] std::optional<log_proof_result> evaluate_inclusion_proof(
    std::uint64_t tree_size, std::span<const proven_log_leaf> leaves, std::uint64_t retained_size,
    std::span<const log_hash> retained_full_subtrees, std::span<const std::uint8_t> proof);
// The same for a proof's elements already decoded (DESIGN.md's `inclusion` list).
[[nodiscard]] std::optional<log_proof_result> evaluate_inclusion_proof(
    std::uint64_t tree_size, std::span<const proven_log_leaf> leaves, std::uint64_t retained_size,
    std::span<const log_hash> retained_full_subtrees, std::span<const log_hash> elements);

}  // namespace sealpost::keytrans
