// Which log entries a KT response covers (DESIGN.md "REST", [D1]): the server lists them and
// the reference client recomputes the same lists to check it, so both call these functions.
// Pure uint64 math over the implicit binary search tree (§4.1); timestamps come through
// `timestamp_lookup` (distinguished.hpp), so a client answers from the entries it was sent and
// a server from its table. Bad input or a missing timestamp gives nullopt, never a throw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "keytrans/distinguished.hpp"

namespace sealpost::keytrans {

// DESIGN.md REST: the ascending, unique union of update_view_entries(tree_size, last) (absent
// `last`: the whole frontier; last == tree_size: nothing), every position in `positions` (any
// order, repeats allowed), and the direct path (root path) of each of them in the implicit BST
// of tree_size. nullopt when tree_size == 0, last == 0 or last > tree_size, or a position >=
// tree_size.
[[nodiscard]] std::optional<std::vector<std::uint64_t>> kt_proof_entries(
    std::uint64_t tree_size, std::optional<std::uint64_t> last,
    std::span<const std::uint64_t> positions);

// §6.3 search: the frontier entries from the rightmost distinguished entry (the root when
// none) through the last entry, ascending. Needs the timestamps of the last entry and of the
// frontier entries up to the first one that is not distinguished. nullopt when a needed
// timestamp is missing or tree_size == 0.
[[nodiscard]] std::optional<std::vector<std::uint64_t>> search_ladder_positions(
    std::uint64_t tree_size, std::uint64_t window, const timestamp_lookup& timestamp_of);

// §8.2 for one contact-map entry at `position` (must be < tree_size): the entries of its direct
// path, bottom up (hence ascending), that are right of it (> position), up to and including the
// first distinguished one (if none is distinguished: all of them). Empty when `position` itself
// is distinguished (the client drops such a map entry). Needs the timestamps of the last entry
// and of `position`'s root path. nullopt on missing timestamps / bad input.
[[nodiscard]] std::optional<std::vector<std::uint64_t>> monitoring_ladder_positions(
    std::uint64_t position, std::uint64_t tree_size, std::uint64_t window,
    const timestamp_lookup& timestamp_of);

// Owner: every distinguished entry with position > start, ascending (the §6.1 recursion over
// the whole tree, pruned where no distinguished entry can lie right of start). Needs the
// timestamps of the last entry, of `start` and its root path, and of the answer's entries and
// their root paths; so an owner response must list `start` among its positions (see
// kt_proof_entries). The answer holds every distinguished entry right of start: a server
// walking a large log with all its timestamps should use the overload with a limit.
// nullopt on missing timestamps or start >= tree_size.
[[nodiscard]] std::optional<std::vector<std::uint64_t>> distinguished_entries_after(
    std::uint64_t start, std::uint64_t tree_size, std::uint64_t window,
    const timestamp_lookup& timestamp_of);

// The same, stopping after the first `limit` entries (DESIGN.md's max_owner_ladders: the
// response is cut and says `more`). The walk is in ascending order and stops as soon as it has
// `limit` entries, so it needs no timestamp beyond those the shorter answer's root paths give:
// a client checks a cut response with the limit it was given.
[[nodiscard]] std::optional<std::vector<std::uint64_t>> distinguished_entries_after(
    std::uint64_t start, std::uint64_t tree_size, std::uint64_t window,
    const timestamp_lookup& timestamp_of, std::size_t limit);

}  // namespace sealpost::keytrans
