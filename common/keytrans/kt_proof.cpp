// The client's check of a KtProof, one step per DESIGN.md bullet, and the server's filling of
// its inclusion list. Both go through log_batch_copath's §12.1 walk, and both take the listed
// entries from kt_proof_entries, so a proof the server builds is the one the client expects.
#include "keytrans/kt_proof.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <utility>

#include "keytrans/ibst.hpp"
#include "keytrans/proof_plan.hpp"

namespace sealpost::keytrans {
namespace {

using entry_map = std::map<std::uint64_t, kt_entry>;

kt_proof_result failure(kt_proof_error error) {
  return {std::nullopt, error};
}

std::optional<std::uint64_t> advertised_size(const kt_retained_view& retained) {
  return retained.tree_size == 0 ? std::nullopt : std::optional{retained.tree_size};
}

// The retained view is the client's own state; one that does not fit its size would make the
// §12.1 walk or the timestamp checks meaningless, so it is refused rather than half used.
bool retained_view_fits(const kt_retained_view& retained) {
  if (retained.full_subtrees.size() !=
      static_cast<std::size_t>(std::popcount(retained.tree_size))) {
    return false;
  }
  const std::vector<std::uint64_t> frontier = ibst_frontier(retained.tree_size);
  return std::equal(
      frontier.begin(), frontier.end(), retained.frontier.begin(), retained.frontier.end(),
      [](std::uint64_t position, const kt_entry& entry) { return entry.position == position; });
}

bool strictly_ascending_below(const std::vector<kt_entry>& entries, std::uint64_t tree_size) {
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].position >= tree_size ||
        (i > 0 && entries[i].position <= entries[i - 1].position)) {
      return false;
    }
  }
  return true;
}

// DESIGN.md: `entries` is exactly the union kt_proof_entries computes. Both lists are sorted,
// so one merge finds an expected entry that is absent (reported first) or an extra one.
std::optional<kt_proof_error> check_listed_set(const std::vector<kt_entry>& listed,
                                               const std::vector<std::uint64_t>& expected) {
  bool extra = false;
  auto next = listed.begin();
  for (const std::uint64_t position : expected) {
    while (next != listed.end() && next->position < position) {
      extra = true;
      ++next;
    }
    if (next == listed.end() || next->position != position) {
      return kt_proof_error::missing_entries;
    }
    ++next;
  }
  if (extra || next != listed.end()) {
    return kt_proof_error::malformed;
  }
  return std::nullopt;
}

// Every entry the client knows after this response: its retained frontier, and the listed
// entries, of which any it retained must come back unchanged.
std::optional<entry_map> merge_known_entries(const kt_retained_view& retained,
                                             const std::vector<kt_entry>& listed) {
  entry_map known;
  for (const kt_entry& entry : retained.frontier) {
    known.emplace(entry.position, entry);
  }
  for (const kt_entry& entry : listed) {
    const auto [it, inserted] = known.emplace(entry.position, entry);
    if (!inserted && it->second != entry) {
      return std::nullopt;
    }
  }
  return known;
}

// §4.2: the new entries' timestamps, in list order, never go below the one before, starting
// from the rightmost entry retained (nothing retained: from the first listed one).
bool update_view_monotonic(const std::vector<std::uint64_t>& update_list, const entry_map& known,
                           const kt_retained_view& retained) {
  std::uint64_t previous = retained.frontier.empty() ? 0 : retained.frontier.back().timestamp;
  for (const std::uint64_t position : update_list) {
    const auto it = known.find(position);
    if (it == known.end() || it->second.timestamp < previous) {
      return false;
    }
    previous = it->second.timestamp;
  }
  return true;
}

// §4.1: an entry in an ancestor's left subtree (a smaller position) has a timestamp <= the
// ancestor's, one in its right subtree >=, for every pair the client knows of.
bool search_tree_ordered(const entry_map& known, std::uint64_t tree_size) {
  for (const auto& [position, entry] : known) {
    const std::optional<std::vector<std::uint64_t>> path = ibst_direct_path(position, tree_size);
    if (!path) {
      return false;  // unreachable: every known position is below tree_size
    }
    for (const std::uint64_t ancestor_position : *path) {
      const auto ancestor = known.find(ancestor_position);
      if (ancestor == known.end()) {
        continue;
      }
      const std::uint64_t ancestor_timestamp = ancestor->second.timestamp;
      if (position < ancestor_position ? entry.timestamp > ancestor_timestamp
                                       : entry.timestamp < ancestor_timestamp) {
        return false;
      }
    }
  }
  return true;
}

// §12.1: the root from the listed leaves, the inclusion elements and the retained full
// subtrees. On failure, tells an inclusion list of the wrong length from a right-length one
// whose walk recomputed a retained head to another value: the walk fails in no other way.
struct root_outcome {
  std::optional<log_proof_result> result;
  kt_proof_error error{};
};

root_outcome compute_root(const kt_proof& proof, const kt_retained_view& retained) {
  std::vector<proven_log_leaf> leaves;
  std::vector<std::uint64_t> positions;
  leaves.reserve(proof.entries.size());
  positions.reserve(proof.entries.size());
  for (const kt_entry& entry : proof.entries) {
    leaves.push_back({entry.position, log_leaf_value({entry.timestamp, entry.prefix_root})});
    positions.push_back(entry.position);
  }
  std::optional<log_proof_result> result =
      evaluate_inclusion_proof(proof.head.tree_size, leaves, retained.tree_size,
                               retained.full_subtrees, std::span<const log_hash>(proof.inclusion));
  if (result) {
    return {std::move(result), {}};
  }
  const std::optional<std::vector<log_subtree>> copath =
      log_batch_copath(proof.head.tree_size, positions, retained.tree_size);
  const bool length_fits = copath && copath->size() == proof.inclusion.size();
  return {std::nullopt, length_fits && retained.tree_size > 0 ? kt_proof_error::retained_mismatch
                                                              : kt_proof_error::inclusion_invalid};
}

// The rightmost entry's timestamp against the local clock, bounds saturating at 0 and 2^64-1.
std::optional<kt_proof_error> check_freshness(const kt_proof_check_params& params,
                                              std::uint64_t rightmost_timestamp) {
  const std::uint64_t oldest =
      params.now_ms >= params.max_behind_ms ? params.now_ms - params.max_behind_ms : 0;
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t newest =
      params.max_ahead_ms > max - params.now_ms ? max : params.now_ms + params.max_ahead_ms;
  if (rightmost_timestamp < oldest) {
    return kt_proof_error::head_too_old;
  }
  if (rightmost_timestamp > newest) {
    return kt_proof_error::head_in_future;
  }
  return std::nullopt;
}

// §4.2's three retained items for the new size. Every frontier entry of the new tree is on the
// §4.2 list or was on the retained frontier, so `known` holds it.
std::optional<kt_retained_view> new_retained_view(std::uint64_t tree_size,
                                                  std::vector<log_hash> full_subtrees,
                                                  const entry_map& known) {
  kt_retained_view view{tree_size, std::move(full_subtrees), {}};
  for (const std::uint64_t position : ibst_frontier(tree_size)) {
    const auto it = known.find(position);
    if (it == known.end()) {
      return std::nullopt;
    }
    view.frontier.push_back(it->second);
  }
  return view;
}

// The checks before any hashing: shape, the listed set, retained entries, timestamps.
std::optional<kt_proof_error> check_entries(const kt_proof& proof, const kt_retained_view& retained,
                                            std::span<const std::uint64_t> required_positions,
                                            std::optional<entry_map>& known) {
  const std::uint64_t tree_size = proof.head.tree_size;
  if (tree_size == 0 || tree_size < retained.tree_size || !retained_view_fits(retained) ||
      !strictly_ascending_below(proof.entries, tree_size)) {
    return kt_proof_error::malformed;
  }
  const std::optional<std::vector<std::uint64_t>> expected =
      kt_proof_entries(tree_size, advertised_size(retained), required_positions);
  if (!expected) {
    return kt_proof_error::malformed;
  }
  if (const std::optional<kt_proof_error> error = check_listed_set(proof.entries, *expected)) {
    return error;
  }
  known = merge_known_entries(retained, proof.entries);
  if (!known) {
    return kt_proof_error::retained_mismatch;
  }
  const std::optional<std::vector<std::uint64_t>> update_list =
      update_view_entries(tree_size, advertised_size(retained));
  if (!update_list || !update_view_monotonic(*update_list, *known, retained) ||
      !search_tree_ordered(*known, tree_size)) {
    return kt_proof_error::timestamps_out_of_order;
  }
  return std::nullopt;
}

}  // namespace

kt_proof_result verify_kt_proof(const kt_proof_check_params& params, const kt_proof& proof,
                                const kt_retained_view& retained,
                                std::span<const std::uint64_t> required_positions) {
  std::optional<entry_map> known;
  if (const std::optional<kt_proof_error> error =
          check_entries(proof, retained, required_positions, known)) {
    return failure(*error);
  }
  root_outcome root = compute_root(proof, retained);
  if (!root.result) {
    return failure(root.error);
  }
  const std::uint64_t tree_size = proof.head.tree_size;
  const bytes tbs = encode_tree_head_tbs(params.configuration, tree_size, root.result->root);
  if (!p256_verify(params.signature_public_key, tbs, proof.head.signature)) {
    return failure(kt_proof_error::bad_signature);
  }
  // The last entry is on every §4.2 list; with nothing new it is the retained rightmost one.
  const auto rightmost = known->find(tree_size - 1);
  if (rightmost == known->end()) {
    return failure(kt_proof_error::missing_entries);
  }
  if (const std::optional<kt_proof_error> error =
          check_freshness(params, rightmost->second.timestamp)) {
    return failure(*error);
  }
  std::optional<kt_retained_view> view =
      new_retained_view(tree_size, std::move(root.result->full_subtrees), *known);
  if (!view) {
    return failure(kt_proof_error::missing_entries);
  }
  return {kt_verified_proof{root.result->root, std::move(*view), std::move(*known)}, {}};
}

std::optional<std::vector<log_hash>> kt_inclusion_elements(
    std::uint64_t tree_size, std::uint64_t retained_size,
    std::span<const std::uint64_t> proof_entries, const log_node_lookup& node_value) {
  const std::optional<std::vector<log_subtree>> copath =
      log_batch_copath(tree_size, proof_entries, retained_size);
  if (!copath) {
    return std::nullopt;
  }
  std::vector<log_hash> elements;
  elements.reserve(copath->size());
  for (const log_subtree& subtree : *copath) {
    // The walk carries balanced subtrees only; checked so a store keyed by (level, index)
    // is never asked for anything else, nor for one past the tree it is read for.
    if (!std::has_single_bit(subtree.size) || subtree.start % subtree.size != 0 ||
        subtree.start >= tree_size || subtree.size > tree_size - subtree.start) {
      return std::nullopt;
    }
    const std::optional<log_hash> value = node_value(subtree);
    if (!value) {
      return std::nullopt;
    }
    elements.push_back(*value);
  }
  return elements;
}

const char* to_string(kt_proof_error error) noexcept {
  switch (error) {
    case kt_proof_error::malformed:
      return "malformed";
    case kt_proof_error::missing_entries:
      return "missing_entries";
    case kt_proof_error::timestamps_out_of_order:
      return "timestamps_out_of_order";
    case kt_proof_error::inclusion_invalid:
      return "inclusion_invalid";
    case kt_proof_error::retained_mismatch:
      return "retained_mismatch";
    case kt_proof_error::bad_signature:
      return "bad_signature";
    case kt_proof_error::head_too_old:
      return "head_too_old";
    case kt_proof_error::head_in_future:
      return "head_in_future";
  }
  return "unknown";
}

}  // namespace sealpost::keytrans
