// The implicit binary search tree over log entries 0..size-1 (draft §4.1, Appendix A) and the
// entries whose timestamps update a client's view of the log (§4.2). Pure integer functions over
// uint64 sizes: nothing allocates more than the tree's depth (at most 64 entries), so a size
// from the wire, up to 2^64-1, is safe to pass. Bad input (a size of 0, a node outside the
// tree, a leaf asked for a child) gives nullopt, never an exception.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace sealpost::keytrans {

// A node's level: 0 for a leaf (an even index), else the number of trailing one bits. Defined
// for every index, in the tree or not.
[[nodiscard]] unsigned ibst_level(std::uint64_t node) noexcept;

// 2^floor(log2(size)) - 1; nullopt for an empty log.
[[nodiscard]] std::optional<std::uint64_t> ibst_root(std::uint64_t size) noexcept;

// The left child of `node` in the tree of `size` entries; nullopt when `node` is not in the tree
// (node >= size) or is a leaf.
[[nodiscard]] std::optional<std::uint64_t> ibst_left_child(std::uint64_t node,
                                                           std::uint64_t size) noexcept;

// The right child of `node` in the tree of `size` entries; nullopt when `node` is not in the
// tree, is a leaf, or is the last entry (size - 1), whose right subtree is empty.
[[nodiscard]] std::optional<std::uint64_t> ibst_right_child(std::uint64_t node,
                                                            std::uint64_t size) noexcept;

// The frontier: the root, its right child, that one's right child, ... through size - 1, in
// that (ascending) order. Empty for an empty log.
[[nodiscard]] std::vector<std::uint64_t> ibst_frontier(std::uint64_t size);

// The direct path of `node`: its parent, the parent's parent, ... through the root (empty for
// the root); nullopt when `node` is not in the tree.
[[nodiscard]] std::optional<std::vector<std::uint64_t>> ibst_direct_path(std::uint64_t node,
                                                                         std::uint64_t size);

// §4.2, with the editor's-copy clause (DESIGN.md): the entries, in the order the client checks
// their timestamps (ascending), that move a client from the view of `advertised_size` entries
// to the log of `size` entries. Without an advertised size: the whole frontier. Otherwise the
// entries >= advertised_size on the direct path of advertised_size - 1 in the new tree, then
// the rest of the frontier after the last of them, or after advertised_size - 1 itself when
// there is none (it is then on the new frontier). Nothing when advertised_size == size.
// nullopt when size is 0, or advertised_size is 0 or greater than size.
[[nodiscard]] std::optional<std::vector<std::uint64_t>> update_view_entries(
    std::uint64_t size, std::optional<std::uint64_t> advertised_size);

}  // namespace sealpost::keytrans
