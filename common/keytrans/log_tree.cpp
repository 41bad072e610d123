// The KEYTRANS log tree: §11.8 hashing, full subtrees, and §12.1 batch proofs, both made and
// evaluated by the same left-to-right walk over the tree so that they cannot disagree.
#include "keytrans/log_tree.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <limits>
#include <stdexcept>
#include <utility>

#include "xeddsa/openssl_check.hpp"

namespace sealpost::keytrans {
namespace {

// hashContent (§11.8): what tells a leaf's value from a parent's inside the parent's hash.
constexpr std::uint8_t leaf_content_prefix = 0x00;
constexpr std::uint8_t parent_content_prefix = 0x01;

log_hash sha256(std::span<const std::uint8_t> data) {
  log_hash digest{};
  unsigned int digest_size = 0;
  ossl::check_ok(
      EVP_Digest(data.data(), data.size(), digest.data(), &digest_size, EVP_sha256(), nullptr),
      "EVP_Digest(SHA-256)");
  if (digest_size != digest.size()) {
    ossl::throw_openssl_error("EVP_Digest(SHA-256) size");
  }
  return digest;
}

std::uint64_t end_of(const log_subtree& subtree) noexcept {
  return subtree.start + subtree.size;
}

bool is_balanced(const log_subtree& subtree) noexcept {
  return std::has_single_bit(subtree.size);
}

// A node of two or more leaves: its left child is the largest balanced subtree that fits
// strictly inside it (§3.2, left-balanced), its right child the rest.
log_subtree left_child(const log_subtree& node) noexcept {
  return {node.start, std::bit_floor(node.size - 1)};
}
log_subtree right_child(const log_subtree& node) noexcept {
  const std::uint64_t left_size = std::bit_floor(node.size - 1);
  return {node.start + left_size, node.size - left_size};
}

// Proven leaves come sorted and unique, as the walk consumes them left to right.
template <typename Leaf, typename IndexOf>
bool strictly_ascending_below(std::span<const Leaf> leaves, std::uint64_t limit, IndexOf index_of) {
  for (std::size_t i = 0; i < leaves.size(); ++i) {
    const std::uint64_t index = index_of(leaves[i]);
    if (index >= limit || (i > 0 && index <= index_of(leaves[i - 1]))) {
      return false;
    }
  }
  return true;
}

std::uint64_t index_of_index(std::uint64_t index) noexcept {
  return index;
}
std::uint64_t index_of_leaf(const proven_log_leaf& leaf) noexcept {
  return leaf.index;
}

bool full_subtree_count_fits(std::uint64_t size, std::size_t head_count) {
  return static_cast<std::size_t>(std::popcount(size)) == head_count;
}

// What a batch proof does with a node on its walk (§12.1).
enum class node_role {
  proven_leaf,  // a leaf being proven: the verifier has its value
  retained,     // a retained full subtree holding no proven leaf: the verifier has its value
  carried,      // a balanced subtree the verifier cannot compute: the proof carries its value
  open,         // computed from its two children
};

// The full subtrees a verifier retained from an older tree of `size` leaves.
struct retained_view {
  std::uint64_t size = 0;
  std::vector<log_subtree> heads;
};

// A node holding a proven leaf is opened, down to the leaf. Otherwise a retained head is known
// already; a balanced node past the retained size, or strictly inside a retained head (which
// the walk enters only to recompute that head around a proven leaf), is carried; anything
// else (not balanced, or holding retained heads or the retained size's edge) is opened, so
// the proof carries nothing the verifier can compute (§12.1's minimum set).
node_role role_of(const log_subtree& node, bool holds_proven_leaf, const retained_view& retained) {
  if (holds_proven_leaf) {
    return node.is_leaf() ? node_role::proven_leaf : node_role::open;
  }
  if (node.start >= retained.size) {
    return is_balanced(node) ? node_role::carried : node_role::open;
  }
  // The retained heads partition [0, retained.size) and are nodes of this tree too, so the
  // one holding node.start either holds the whole node, or the node holds it.
  const auto head = std::find_if(retained.heads.begin(), retained.heads.end(),
                                 [&](const log_subtree& h) { return node.start < end_of(h); });
  if (end_of(node) > end_of(*head)) {
    return node_role::open;
  }
  return node == *head ? node_role::retained : node_role::carried;
}

// Leaves are visited left to right, so the next unvisited proven leaf is the only candidate.
template <typename Leaf, typename IndexOf>
bool holds_next(std::span<const Leaf> leaves, std::size_t next, const log_subtree& node,
                IndexOf index_of) {
  return next < leaves.size() && index_of(leaves[next]) < end_of(node);
}

void collect_copath(const log_subtree& node, std::span<const std::uint64_t> proven_leaves,
                    std::size_t& next_leaf, const retained_view& retained,
                    std::vector<log_subtree>& out) {
  const bool holds = holds_next(proven_leaves, next_leaf, node, index_of_index);
  switch (role_of(node, holds, retained)) {
    case node_role::proven_leaf:
      ++next_leaf;
      return;
    case node_role::retained:
      return;
    case node_role::carried:
      out.push_back(node);
      return;
    case node_role::open:
      collect_copath(left_child(node), proven_leaves, next_leaf, retained, out);
      collect_copath(right_child(node), proven_leaves, next_leaf, retained, out);
      return;
  }
}

// Evaluates a proof along the same walk as collect_copath, consuming leaves, proof elements
// and retained heads in order, and noting the new tree's full subtrees as it passes them.
class proof_evaluator {
 public:
  proof_evaluator(std::uint64_t tree_size, std::span<const proven_log_leaf> leaves,
                  retained_view retained, std::span<const log_hash> retained_values,
                  std::span<const log_hash> elements)
      : leaves_(leaves),
        retained_(std::move(retained)),
        retained_values_(retained_values),
        elements_(elements),
        new_heads_(log_full_subtrees(tree_size)) {
    new_head_values_.reserve(new_heads_.size());
  }

  std::optional<log_hash> value_of(const log_subtree& node) {
    std::optional<log_hash> value = own_value(node);
    if (!value || !matches_retained(node, *value)) {
      return std::nullopt;
    }
    if (next_new_head_ < new_heads_.size() && node == new_heads_[next_new_head_]) {
      new_head_values_.push_back(*value);
      ++next_new_head_;
    }
    return value;
  }

  // True when the walk used every input exactly once and met every new full subtree.
  [[nodiscard]] bool consumed_everything() const {
    return next_leaf_ == leaves_.size() && next_element_ == elements_.size() &&
           next_retained_ == retained_values_.size() && next_new_head_ == new_heads_.size();
  }

  std::vector<log_hash> take_new_heads() { return std::move(new_head_values_); }

 private:
  std::optional<log_hash> own_value(const log_subtree& node) {
    const bool holds = holds_next(leaves_, next_leaf_, node, index_of_leaf);
    switch (role_of(node, holds, retained_)) {
      case node_role::proven_leaf:
        return leaves_[next_leaf_++].value;
      case node_role::retained:
        // The walk meets retained heads in order; matches_retained consumes this one.
        if (next_retained_ >= retained_.heads.size() || node != retained_.heads[next_retained_]) {
          return std::nullopt;
        }
        return retained_values_[next_retained_];
      case node_role::carried:
        if (next_element_ == elements_.size()) {
          return std::nullopt;  // one element too few
        }
        return elements_[next_element_++];
      case node_role::open:
        return open_value(node);
    }
    return std::nullopt;
  }

  std::optional<log_hash> open_value(const log_subtree& node) {
    const log_subtree left = left_child(node);
    const log_subtree right = right_child(node);
    const std::optional<log_hash> left_value = value_of(left);
    if (!left_value) {
      return std::nullopt;
    }
    const std::optional<log_hash> right_value = value_of(right);
    if (!right_value) {
      return std::nullopt;
    }
    return log_parent_value(*left_value, left.is_leaf(), *right_value, right.is_leaf());
  }

  // A retained head the walk reaches must have the value the verifier retained, whether it
  // was taken as retained or recomputed from proven leaves (§12.1's MUST).
  bool matches_retained(const log_subtree& node, const log_hash& value) {
    if (next_retained_ >= retained_.heads.size() || node != retained_.heads[next_retained_]) {
      return true;
    }
    return retained_values_[next_retained_++] == value;
  }

  std::span<const proven_log_leaf> leaves_;
  std::size_t next_leaf_ = 0;
  retained_view retained_;
  std::span<const log_hash> retained_values_;
  std::size_t next_retained_ = 0;
  std::span<const log_hash> elements_;
  std::size_t next_element_ = 0;
  std::vector<log_subtree> new_heads_;
  std::vector<log_hash> new_head_values_;
  std::size_t next_new_head_ = 0;
};

}  // namespace

log_hash log_leaf_value(const log_entry& entry) {
  const bytes encoded = tls_writer().u64(entry.timestamp).raw(entry.prefix_tree).take();
  return sha256(encoded);
}

log_hash log_parent_value(const log_hash& left, bool left_is_leaf, const log_hash& right,
                          bool right_is_leaf) {
  std::array<std::uint8_t, 2 * (1 + log_hash_size)> content{};
  auto out = content.begin();
  *out++ = left_is_leaf ? leaf_content_prefix : parent_content_prefix;
  out = std::copy(left.begin(), left.end(), out);
  *out++ = right_is_leaf ? leaf_content_prefix : parent_content_prefix;
  std::copy(right.begin(), right.end(), out);
  return sha256(content);
}

std::vector<log_subtree> log_full_subtrees(std::uint64_t tree_size) {
  std::vector<log_subtree> heads;
  std::uint64_t start = 0;
  while (start < tree_size) {
    const std::uint64_t size = std::bit_floor(tree_size - start);
    heads.push_back({start, size});
    start += size;
  }
  return heads;
}

log_hash log_subtree_value(std::span<const log_hash> leaves, const log_subtree& subtree) {
  if (subtree.size == 0 || subtree.start > leaves.size() ||
      subtree.size > leaves.size() - subtree.start) {
    throw std::out_of_range("log_subtree_value: subtree outside the leaves");
  }
  if (subtree.is_leaf()) {
    return leaves[subtree.start];
  }
  const log_subtree left = left_child(subtree);
  const log_subtree right = right_child(subtree);
  return log_parent_value(log_subtree_value(leaves, left), left.is_leaf(),
                          log_subtree_value(leaves, right), right.is_leaf());
}

log_hash log_tree_root(std::span<const log_hash> leaves) {
  return log_subtree_value(leaves, {0, leaves.size()});
}

std::optional<log_append_result> log_append_leaf(const log_full_subtree_state& state,
                                                 const log_hash& leaf_value) {
  if (!full_subtree_count_fits(state.size, state.heads.size()) ||
      state.size == std::numeric_limits<std::uint64_t>::max()) {
    return std::nullopt;
  }
  const std::uint64_t new_size = state.size + 1;
  log_append_result result{{new_size, state.heads}, {}};
  std::vector<log_hash>& heads = result.state.heads;
  // The rightmost heads have sizes equal to the low set bits of the old size: the new leaf
  // merges with each head as long as they are the same size.
  log_node carry{{state.size, 1}, leaf_value};
  result.completed.push_back(carry);
  while ((state.size & carry.subtree.size) != 0) {
    const bool children_are_leaves = carry.subtree.is_leaf();
    carry.value =
        log_parent_value(heads.back(), children_are_leaves, carry.value, children_are_leaves);
    heads.pop_back();
    carry.subtree = {new_size - 2 * carry.subtree.size, 2 * carry.subtree.size};
    result.completed.push_back(carry);
  }
  heads.push_back(carry.value);
  return result;
}

std::optional<log_hash> log_root_from_full_subtrees(const log_full_subtree_state& state) {
  if (state.size == 0 || !full_subtree_count_fits(state.size, state.heads.size())) {
    return std::nullopt;
  }
  // Only the last head can be a single leaf (when the size is odd); every fold is a parent.
  log_hash root = state.heads.back();
  bool root_is_leaf = (state.size & 1) != 0;
  for (std::size_t i = state.heads.size() - 1; i-- > 0;) {
    root = log_parent_value(state.heads[i], false, root, root_is_leaf);
    root_is_leaf = false;
  }
  return root;
}

std::optional<std::vector<log_subtree>> log_batch_copath(
    std::uint64_t tree_size, std::span<const std::uint64_t> proven_leaves,
    std::uint64_t retained_size) {
  if (tree_size == 0 || retained_size > tree_size ||
      !strictly_ascending_below(proven_leaves, tree_size, index_of_index)) {
    return std::nullopt;
  }
  const retained_view retained{retained_size, log_full_subtrees(retained_size)};
  std::vector<log_subtree> copath;
  std::size_t next_leaf = 0;
  collect_copath({0, tree_size}, proven_leaves, next_leaf, retained, copath);
  return copath;
}

std::optional<bytes> encode_inclusion_proof(std::span<const log_hash> elements) {
  if (elements.size() > std::numeric_limits<std::uint16_t>::max()) {
    return std::nullopt;
  }
  tls_writer writer;
  writer.u16(static_cast<std::uint16_t>(elements.size()));
  for (const log_hash& element : elements) {
    writer.raw(element);
  }
  return writer.take();
}

std::optional<std::vector<log_hash>> decode_inclusion_proof(std::span<const std::uint8_t> encoded) {
  tls_reader reader(encoded);
  const std::optional<std::uint16_t> count = reader.u16();
  // Checked before allocating: the count must match the bytes that follow exactly.
  if (!count || reader.remaining() != std::size_t{*count} * log_hash_size) {
    return std::nullopt;
  }
  std::vector<log_hash> elements(*count);
  for (log_hash& element : elements) {
    const auto value = reader.raw(log_hash_size);
    if (!value) {
      return std::nullopt;
    }
    std::copy(value->begin(), value->end(), element.begin());
  }
  return elements;
}

std::optional<bytes> make_inclusion_proof(std::span<const log_hash> leaves,
                                          std::span<const std::uint64_t> proven_leaves,
                                          std::uint64_t retained_size) {
  const auto copath = log_batch_copath(leaves.size(), proven_leaves, retained_size);
  if (!copath) {
    return std::nullopt;
  }
  std::vector<log_hash> elements;
  elements.reserve(copath->size());
  for (const log_subtree& subtree : *copath) {
    elements.push_back(log_subtree_value(leaves, subtree));
  }
  return encode_inclusion_proof(elements);
}

std::optional<log_proof_result> evaluate_inclusion_proof(
    std::uint64_t tree_size, std::span<const proven_log_leaf> leaves, std::uint64_t retained_size,
    std::span<const log_hash> retained_full_subtrees, std::span<const std::uint8_t> proof) {
  const std::optional<std::vector<log_hash>> elements = decode_inclusion_proof(proof);
  if (!elements) {
    return std::nullopt;
  }
  return evaluate_inclusion_proof(tree_size, leaves, retained_size, retained_full_subtrees,
                                  std::span<const log_hash>(*elements));
}

std::optional<log_proof_result> evaluate_inclusion_proof(
    std::uint64_t tree_size, std::span<const proven_log_leaf> leaves, std::uint64_t retained_size,
    std::span<const log_hash> retained_full_subtrees, std::span<const log_hash> elements) {
  if (tree_size == 0 || retained_size > tree_size ||
      !full_subtree_count_fits(retained_size, retained_full_subtrees.size()) ||
      !strictly_ascending_below(leaves, tree_size, index_of_leaf)) {
    return std::nullopt;
  }
  proof_evaluator evaluator(tree_size, leaves,
                            retained_view{retained_size, log_full_subtrees(retained_size)},
                            retained_full_subtrees, elements);
  const std::optional<log_hash> root = evaluator.value_of({0, tree_size});
  if (!root || !evaluator.consumed_everything()) {
    return std::nullopt;
  }
  return log_proof_result{*root, evaluator.take_new_heads()};
}

}  // namespace sealpost::keytrans
