// A KT response's KtProof (DESIGN.md "REST" [D1], and "Reference client: what it checks":
// every KT response, before anything is saved, §13): the signed head, the log entries it
// lists and the §12.1 inclusion elements. verify_kt_proof is the client's whole check of it
// and the new view to retain; kt_inclusion_elements is how the server fills `inclusion` from
// its stored balanced subtrees, over the same §12.1 walk the client evaluates.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "keytrans/log_tree.hpp"
#include "keytrans/tree_head.hpp"

namespace sealpost::keytrans {

// DESIGN.md Entry: a log entry (§11.8 LogEntry) with its position.
struct kt_entry {
  std::uint64_t position = 0;
  std::uint64_t timestamp = 0;
  log_hash prefix_root{};
  friend bool operator==(const kt_entry&, const kt_entry&) = default;
};

// DESIGN.md KtProof, decoded from JSON by the caller.
struct kt_proof {
  tree_head head;  // tree_size + 64-byte r||s signature
  std::vector<kt_entry> entries;
  std::vector<log_hash> inclusion;
};

// What a client retains between responses (§4.2 advertised size, §12.1 full subtrees).
struct kt_retained_view {
  std::uint64_t tree_size = 0;          // 0: nothing retained yet
  std::vector<log_hash> full_subtrees;  // of tree_size, left to right
  std::vector<kt_entry> frontier;       // the frontier entries of tree_size, ascending
  friend bool operator==(const kt_retained_view&, const kt_retained_view&) = default;
};

enum class kt_proof_error : std::uint8_t {
  // Entries not ascending/unique or >= size, size 0, size < retained; also a required position
  // >= size, or a retained view that does not fit its own size (a caller bug).
  malformed,
  missing_entries,          // an entry the response must list is absent
  timestamps_out_of_order,  // §4.2 list not monotonic, or a §4.1 ancestor/descendant pair
  // The inclusion list has too few or too many elements. A wrong element gives another root,
  // which shows as bad_signature (the head carries no root to compare).
  inclusion_invalid,
  // A re-sent retained frontier entry differs, or a retained full subtree that listed leaves
  // recompute comes out different (§12.1's MUST): the log is not the one retained (a fork).
  retained_mismatch,
  bad_signature,
  head_too_old,    // rightmost timestamp < now - max_behind
  head_in_future,  // rightmost timestamp > now + max_ahead
};

// The error's name as in the enum ("bad_signature"), for logs and tests.
[[nodiscard]] const char* to_string(kt_proof_error error) noexcept;

struct kt_proof_check_params {
  std::span<const std::uint8_t> configuration;         // the pinned encoded Configuration
  std::span<const std::uint8_t> signature_public_key;  // 65-byte SEC1
  std::uint64_t now_ms = 0;
  std::uint64_t max_ahead_ms = 0;
  std::uint64_t max_behind_ms = 0;
};

struct kt_verified_proof {
  log_hash root{};
  kt_retained_view retained;  // the new view to save (size, full subtrees, frontier entries)
  // The entries by position, for the caller's ladder checks (prefix roots, timestamps): the
  // listed ones and the retained frontier entries (committed to by the new root too, and the
  // source of the last entry's timestamp when the response lists nothing new).
  std::map<std::uint64_t, kt_entry> entries;
};

struct kt_proof_result {
  std::optional<kt_verified_proof> verified;
  kt_proof_error error{};  // meaningful only without `verified`
};

// Checks `proof` against the view the client retained (tree_size 0: none; then `last` was
// absent) in DESIGN.md's order, except that re-sent retained entries are compared before the
// timestamps (so the §4.1 checks see one timestamp per position). `required_positions`:
// positions the caller needs listed (ladder entries, monitored entries, new versions, an
// owner's `start`); the proof must list kt_proof_entries(head.tree_size, retained size or
// nullopt, required_positions), exactly that set (fewer: missing_entries; more: malformed).
// Never throws on bad input; throws std::runtime_error only when OpenSSL fails.
[[nodiscard]] kt_proof_result verify_kt_proof(const kt_proof_check_params& params,
                                              const kt_proof& proof,
                                              const kt_retained_view& retained,
                                              std::span<const std::uint64_t> required_positions);

// The server side: the inclusion elements for `proof_entries` (ascending, unique, below
// tree_size: kt_proof_entries' answer) against a client that retained `retained_size` (0:
// none), given a way to read balanced subtree values. Every subtree asked for is balanced and
// inside tree_size (so complete, and in kt_log_nodes as (level, index_at_level)). nullopt on
// bad input (as log_batch_copath) or when the lookup lacks a value.
using log_node_lookup = std::function<std::optional<log_hash>(const log_subtree&)>;
[[nodiscard]] std::optional<std::vector<log_hash>> kt_inclusion_elements(
    std::uint64_t tree_size, std::uint64_t retained_size,
    std::span<const std::uint64_t> proof_entries, const log_node_lookup& node_value);

}  // namespace sealpost::keytrans
