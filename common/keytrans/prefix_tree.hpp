// The prefix tree (draft-ietf-keytrans-protocol §3.3, §11.9, §12.2): a binary trie over 32-byte
// search keys (VRF outputs) whose leaves commit to label versions, and the batched PrefixProof
// that shows where each searched key's walk from the root ends.
//
// Step 1 keeps the whole tree in memory as its sorted leaves: the trie's shape depends only on
// the set of keys (a leaf sits one bit below the longest prefix it shares with any other key),
// so insertion order does not matter and nothing else needs storing. Verification does not use
// the tree at all: it is a pure function of the root, the searched keys, the proof bytes and the
// commitments the searcher expects.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "keytrans/tls_codec.hpp"

namespace sealpost::keytrans {

inline constexpr std::size_t prefix_hash_size = 32;        // Hash.Nh of SHA-256
inline constexpr std::size_t prefix_search_key_size = 32;  // VRF.Nh of ECVRF-P256-SHA256-TAI

using prefix_hash = std::array<std::uint8_t, prefix_hash_size>;
using prefix_search_key = std::array<std::uint8_t, prefix_search_key_size>;

// PrefixLeaf: a search key and the commitment stored under it.
struct prefix_leaf {
  prefix_search_key vrf_output{};
  prefix_hash commitment{};
  friend bool operator==(const prefix_leaf&, const prefix_leaf&) = default;
};

// PrefixSearchResultType.
enum class prefix_result_type : std::uint8_t {
  inclusion = 1,
  non_inclusion_leaf = 2,
  non_inclusion_parent = 3,
};

// PrefixSearchResult. `depth` is the depth of the node the search ended at (root = 0); for
// non_inclusion_parent it is the depth of the missing child, one below the parent that lacks it
// (editor's copy §12.2). `leaf` is present exactly for non_inclusion_leaf.
struct prefix_search_result {
  prefix_result_type type = prefix_result_type::inclusion;
  std::uint8_t depth = 0;
  std::optional<prefix_leaf> leaf;
  friend bool operator==(const prefix_search_result&, const prefix_search_result&) = default;
};

// PrefixProof: one result per searched key, in search order, and the copath values (all-zero for
// a missing node) in left-to-right order.
struct prefix_proof {
  std::vector<prefix_search_result> results;
  std::vector<prefix_hash> elements;
  friend bool operator==(const prefix_proof&, const prefix_proof&) = default;
};

// At most this many searches fit one PrefixProof (results<0..2^8-1>).
inline constexpr std::size_t max_prefix_searches = 255;

// The TLS encoding. Throws std::length_error for more than 255 results or 65535 elements, which
// prefix_tree::prove never produces.
bytes encode_prefix_proof(const prefix_proof& proof);
// nullopt unless `encoded` is exactly one well-formed PrefixProof.
std::optional<prefix_proof> decode_prefix_proof(std::span<const std::uint8_t> encoded);

// Hash(0x02 || vrf_output || commitment) (§11.9).
prefix_hash prefix_leaf_hash(const prefix_leaf& leaf);
// Hash(0x03 || left || right), a missing child given as all zeros (§11.9).
prefix_hash prefix_parent_hash(const prefix_hash& left, const prefix_hash& right);

class prefix_tree {
 public:
  // Adds a leaf. false (and no change) when its search key is already in the tree: a key is the
  // VRF output of one label-version pair and is never replaced or removed in stage 1.
  bool insert(const prefix_leaf& leaf);

  // The root value; all zeros for the empty tree (the stand-in for a missing node).
  [[nodiscard]] prefix_hash root() const;
  [[nodiscard]] std::size_t size() const noexcept { return leaves_.size(); }
  // The leaves in ascending key order.
  [[nodiscard]] std::span<const prefix_leaf> leaves() const noexcept { return leaves_; }

  // A PrefixProof for `searches`, one result each, in the order given (repeats allowed).
  // nullopt for more than max_prefix_searches searches, or when a result's depth does not fit
  // its uint8 (two keys sharing 255 leading bits: not reachable with VRF outputs).
  [[nodiscard]] std::optional<prefix_proof> prove(
      std::span<const prefix_search_key> searches) const;

 private:
  std::vector<prefix_leaf> leaves_;  // sorted by vrf_output, keys unique
};

// What the searcher expects for each searched key: the commitment it expects to find (the key
// must be included, under exactly that commitment), or nullopt (the key must be absent, either
// kind of non-inclusion).
using prefix_claim = std::optional<prefix_hash>;

// The root that `proof` evaluates to for `searches` and `claims` (one each, same order), or
// nullopt when the proof is malformed for them: a count that differs, a result that contradicts
// its claim, a non-inclusion leaf whose key is the searched key or not on its path, two results
// that place different nodes at one position or a leaf above another search's path, elements
// missing or left over. Bounded work: at most 255 searches, each walked at most 256 levels.
std::optional<prefix_hash> evaluate_prefix_proof(std::span<const prefix_search_key> searches,
                                                 const prefix_proof& proof,
                                                 std::span<const prefix_claim> claims);

// Decodes `encoded_proof`, evaluates it and compares with `root`. The decoded proof (so the
// caller can read each result's depth and leaf) when it verifies, else nullopt.
std::optional<prefix_proof> verify_prefix_proof(const prefix_hash& root,
                                                std::span<const prefix_search_key> searches,
                                                std::span<const std::uint8_t> encoded_proof,
                                                std::span<const prefix_claim> claims);

}  // namespace sealpost::keytrans
