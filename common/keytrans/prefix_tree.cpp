// Prefix-tree hashing, proving and proof evaluation. Both the prover and the evaluator walk the
// trie top-down, splitting the searches (and, for the prover, the sorted leaves) on the bit at
// the current depth; the left subtree is finished before the right one, which gives the
// elements their left-to-right order.
#include "keytrans/prefix_tree.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

#include "keytrans/prefix_tree_bits.hpp"
#include "xeddsa/openssl_check.hpp"

namespace sealpost::keytrans {
namespace {

constexpr std::uint8_t leaf_domain = 0x02;
constexpr std::uint8_t parent_domain = 0x03;
constexpr prefix_hash missing_node{};  // the all-zero stand-in

using leaf_span = std::span<const prefix_leaf>;
using search_indices = std::vector<std::size_t>;
using detail::prefix_key_bit;
using detail::split_prefix_leaves;

prefix_hash sha256_of(std::uint8_t domain, std::span<const std::uint8_t> first,
                      std::span<const std::uint8_t> second) {
  std::array<std::uint8_t, 1 + 2 * prefix_hash_size> input{};
  input[0] = domain;
  std::copy(first.begin(), first.end(), input.begin() + 1);
  std::copy(second.begin(), second.end(), input.begin() + 1 + first.size());
  prefix_hash digest{};
  unsigned int digest_size = 0;
  ossl::check_ok(EVP_Digest(input.data(), 1 + first.size() + second.size(), digest.data(),
                            &digest_size, EVP_sha256(), nullptr),
                 "EVP_Digest");
  return digest;
}

bool shares_prefix(const prefix_search_key& a, const prefix_search_key& b, unsigned bits) {
  for (unsigned i = 0; i < bits; ++i) {
    if (prefix_key_bit(a, i) != prefix_key_bit(b, i)) {
      return false;
    }
  }
  return true;
}

bool key_less(const prefix_leaf& leaf, const prefix_search_key& key) {
  return leaf.vrf_output < key;
}

std::pair<search_indices, search_indices> split_searches(
    std::span<const prefix_search_key> searches, const search_indices& indices, unsigned depth) {
  std::pair<search_indices, search_indices> sides;
  for (const std::size_t index : indices) {
    (prefix_key_bit(searches[index], depth) == 0 ? sides.first : sides.second).push_back(index);
  }
  return sides;
}

// The value of the node whose subtree holds exactly `leaves` (sharing `depth` bits). A single
// leaf sits right here; two or more are split until they part (they differ before bit 256).
prefix_hash subtree_value(leaf_span leaves, unsigned depth) {
  if (leaves.empty()) {
    return missing_node;
  }
  if (leaves.size() == 1) {
    return prefix_leaf_hash(leaves.front());
  }
  const auto [left, right] = split_prefix_leaves(leaves, depth);
  return prefix_parent_hash(subtree_value(left, depth + 1), subtree_value(right, depth + 1));
}

class proof_builder {
 public:
  proof_builder(std::span<const prefix_search_key> searches, prefix_proof& proof)
      : searches_(searches), proof_(proof) {}

  // Fills the results of `indices` (all in this node's subtree) and appends the copath values
  // under this node. false when a result's depth does not fit a uint8.
  bool visit(leaf_span leaves, unsigned depth, const search_indices& indices) {
    if (leaves.size() <= 1) {
      return end_searches(leaves, depth, indices);
    }
    const auto [left_leaves, right_leaves] = split_prefix_leaves(leaves, depth);
    const auto [left_searches, right_searches] = split_searches(searches_, indices, depth);
    return visit_child(left_leaves, depth + 1, left_searches) &&
           visit_child(right_leaves, depth + 1, right_searches);
  }

 private:
  bool visit_child(leaf_span leaves, unsigned depth, const search_indices& indices) {
    if (indices.empty()) {
      proof_.elements.push_back(subtree_value(leaves, depth));
      return true;
    }
    return visit(leaves, depth, indices);
  }

  // The searches end here: at the only leaf of this subtree, or at a missing child.
  bool end_searches(leaf_span leaves, unsigned depth, const search_indices& indices) {
    if (depth > std::numeric_limits<std::uint8_t>::max()) {
      return false;
    }
    for (const std::size_t index : indices) {
      prefix_search_result& result = proof_.results[index];
      result.depth = static_cast<std::uint8_t>(depth);
      if (leaves.empty()) {
        result.type = prefix_result_type::non_inclusion_parent;
      } else if (leaves.front().vrf_output == searches_[index]) {
        result.type = prefix_result_type::inclusion;
      } else {
        result.type = prefix_result_type::non_inclusion_leaf;
        result.leaf = leaves.front();
      }
    }
    return true;
  }

  std::span<const prefix_search_key> searches_;
  prefix_proof& proof_;
};

class proof_evaluator {
 public:
  proof_evaluator(std::span<const prefix_search_key> searches, const prefix_proof& proof,
                  std::span<const prefix_claim> claims)
      : searches_(searches), proof_(proof), claims_(claims) {}

  std::optional<prefix_hash> root() {
    search_indices all(searches_.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
      all[i] = i;
    }
    std::optional<prefix_hash> value = node(0, all);
    if (next_element_ != proof_.elements.size()) {
      return std::nullopt;  // elements left over: not the proof of these searches
    }
    return value;
  }

 private:
  // The value of the node at `depth` on the path of every search in `indices` (non-empty).
  std::optional<prefix_hash> node(unsigned depth, const search_indices& indices) {
    const auto ending = static_cast<std::size_t>(
        std::count_if(indices.begin(), indices.end(),
                      [&](std::size_t index) { return proof_.results[index].depth == depth; }));
    if (ending == indices.size()) {
      return terminal(depth, indices);
    }
    if (ending != 0) {
      return std::nullopt;  // one node can't be both where a search ends and on another's path
    }
    // Every result is deeper than `depth`, and a depth is at most 255: the bit exists.
    const auto [left, right] = split_searches(searches_, indices, depth);
    const std::optional<prefix_hash> left_value = child(depth + 1, left);
    if (!left_value) {
      return std::nullopt;
    }
    const std::optional<prefix_hash> right_value = child(depth + 1, right);
    if (!right_value) {
      return std::nullopt;
    }
    return prefix_parent_hash(*left_value, *right_value);
  }

  std::optional<prefix_hash> child(unsigned depth, const search_indices& indices) {
    if (indices.empty()) {
      return next_element();
    }
    return node(depth, indices);
  }

  std::optional<prefix_hash> next_element() {
    if (next_element_ == proof_.elements.size()) {
      return std::nullopt;
    }
    return proof_.elements[next_element_++];
  }

  // Every search in `indices` ends at this node: they must all see the same node value.
  std::optional<prefix_hash> terminal(unsigned depth, const search_indices& indices) {
    std::optional<prefix_hash> value;
    for (const std::size_t index : indices) {
      const std::optional<prefix_hash> own = terminal_value(depth, index);
      if (!own || (value && *value != *own)) {
        return std::nullopt;
      }
      value = own;
    }
    return value;
  }

  std::optional<prefix_hash> terminal_value(unsigned depth, std::size_t index) const {
    const prefix_search_result& result = proof_.results[index];
    const prefix_search_key& key = searches_[index];
    const prefix_claim& claim = claims_[index];
    switch (result.type) {
      case prefix_result_type::inclusion:
        if (!claim) {
          return std::nullopt;
        }
        return prefix_leaf_hash(prefix_leaf{key, *claim});
      case prefix_result_type::non_inclusion_leaf:
        // The leaf must be another key that really lies on this search's path.
        if (claim || !result.leaf || result.leaf->vrf_output == key ||
            !shares_prefix(result.leaf->vrf_output, key, depth)) {
          return std::nullopt;
        }
        return prefix_leaf_hash(*result.leaf);
      case prefix_result_type::non_inclusion_parent:
        if (claim) {
          return std::nullopt;
        }
        return missing_node;
    }
    return std::nullopt;
  }

  std::span<const prefix_search_key> searches_;
  const prefix_proof& proof_;
  std::span<const prefix_claim> claims_;
  std::size_t next_element_ = 0;
};

std::optional<prefix_search_result> read_result(tls_reader& reader) {
  const std::optional<std::uint8_t> type = reader.u8();
  if (!type || *type < static_cast<std::uint8_t>(prefix_result_type::inclusion) ||
      *type > static_cast<std::uint8_t>(prefix_result_type::non_inclusion_parent)) {
    return std::nullopt;
  }
  prefix_search_result result;
  result.type = static_cast<prefix_result_type>(*type);
  if (result.type == prefix_result_type::non_inclusion_leaf) {
    const auto vrf_output = reader.raw(prefix_search_key_size);
    const auto commitment = reader.raw(prefix_hash_size);
    if (!vrf_output || !commitment) {
      return std::nullopt;
    }
    prefix_leaf leaf;
    std::copy(vrf_output->begin(), vrf_output->end(), leaf.vrf_output.begin());
    std::copy(commitment->begin(), commitment->end(), leaf.commitment.begin());
    result.leaf = leaf;
  }
  const std::optional<std::uint8_t> depth = reader.u8();
  if (!depth) {
    return std::nullopt;
  }
  result.depth = *depth;
  return result;
}

}  // namespace

prefix_hash prefix_leaf_hash(const prefix_leaf& leaf) {
  return sha256_of(leaf_domain, leaf.vrf_output, leaf.commitment);
}

prefix_hash prefix_parent_hash(const prefix_hash& left, const prefix_hash& right) {
  return sha256_of(parent_domain, left, right);
}

bytes encode_prefix_proof(const prefix_proof& proof) {
  // Vector lengths count elements here (§2.1), so they are written as plain integers.
  if (proof.results.size() > max_prefix_searches ||
      proof.elements.size() > std::numeric_limits<std::uint16_t>::max()) {
    throw std::length_error("encode_prefix_proof: too many results or elements");
  }
  tls_writer writer;
  writer.u8(static_cast<std::uint8_t>(proof.results.size()));
  for (const prefix_search_result& result : proof.results) {
    writer.u8(static_cast<std::uint8_t>(result.type));
    if (result.type == prefix_result_type::non_inclusion_leaf) {
      const prefix_leaf leaf = result.leaf.value_or(prefix_leaf{});
      writer.raw(leaf.vrf_output).raw(leaf.commitment);
    }
    writer.u8(result.depth);
  }
  writer.u16(static_cast<std::uint16_t>(proof.elements.size()));
  for (const prefix_hash& element : proof.elements) {
    writer.raw(element);
  }
  return writer.take();
}

std::optional<prefix_proof> decode_prefix_proof(std::span<const std::uint8_t> encoded) {
  tls_reader reader(encoded);
  prefix_proof proof;
  const std::optional<std::uint8_t> result_count = reader.u8();
  for (unsigned i = 0; result_count && i < *result_count; ++i) {
    std::optional<prefix_search_result> result = read_result(reader);
    if (!result) {
      return std::nullopt;
    }
    proof.results.push_back(std::move(*result));
  }
  const std::optional<std::uint16_t> element_count = reader.u16();
  // Each element is read before it is stored, so a false count costs no more than the input.
  for (unsigned i = 0; element_count && i < *element_count; ++i) {
    const auto element = reader.raw(prefix_hash_size);
    if (!element) {
      return std::nullopt;
    }
    prefix_hash& stored = proof.elements.emplace_back();
    std::copy(element->begin(), element->end(), stored.begin());
  }
  if (!reader.done()) {
    return std::nullopt;
  }
  return proof;
}

bool prefix_tree::insert(const prefix_leaf& leaf) {
  const auto position = std::lower_bound(leaves_.begin(), leaves_.end(), leaf.vrf_output, key_less);
  if (position != leaves_.end() && position->vrf_output == leaf.vrf_output) {
    return false;
  }
  leaves_.insert(position, leaf);
  return true;
}

prefix_hash prefix_tree::root() const {
  return subtree_value(leaves_, 0);
}

std::optional<prefix_proof> prefix_tree::prove(std::span<const prefix_search_key> searches) const {
  if (searches.size() > max_prefix_searches) {
    return std::nullopt;
  }
  prefix_proof proof;
  proof.results.resize(searches.size());
  if (searches.empty()) {
    return proof;  // nothing searched, nothing to show
  }
  search_indices all(searches.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    all[i] = i;
  }
  proof_builder builder(searches, proof);
  if (!builder.visit(leaves_, 0, all)) {
    return std::nullopt;
  }
  return proof;
}

std::optional<prefix_hash> evaluate_prefix_proof(std::span<const prefix_search_key> searches,
                                                 const prefix_proof& proof,
                                                 std::span<const prefix_claim> claims) {
  if (searches.empty() || searches.size() != proof.results.size() ||
      claims.size() != searches.size() || searches.size() > max_prefix_searches) {
    return std::nullopt;
  }
  return proof_evaluator(searches, proof, claims).root();
}

std::optional<prefix_proof> verify_prefix_proof(const prefix_hash& root,
                                                std::span<const prefix_search_key> searches,
                                                std::span<const std::uint8_t> encoded_proof,
                                                std::span<const prefix_claim> claims) {
  std::optional<prefix_proof> proof = decode_prefix_proof(encoded_proof);
  if (!proof) {
    return std::nullopt;
  }
  const std::optional<prefix_hash> evaluated = evaluate_prefix_proof(searches, *proof, claims);
  if (!evaluated || *evaluated != root) {
    return std::nullopt;
  }
  return proof;
}

}  // namespace sealpost::keytrans
