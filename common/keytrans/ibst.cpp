// Appendix A's navigation over uint64 indices, and §4.2's update-view list built on it.
#include "keytrans/ibst.hpp"

#include <algorithm>
#include <bit>
#include <iterator>

namespace sealpost::keytrans {
namespace {

constexpr std::uint64_t bit(unsigned index) noexcept {
  return std::uint64_t{1} << index;
}

// Appendix A's left(x) for a node already known to be an intermediate one (level >= 1).
std::uint64_t left_of_intermediate(std::uint64_t node) noexcept {
  return node ^ bit(ibst_level(node) - 1);
}

}  // namespace

unsigned ibst_level(std::uint64_t node) noexcept {
  return static_cast<unsigned>(std::countr_one(node));
}

std::optional<std::uint64_t> ibst_root(std::uint64_t size) noexcept {
  if (size == 0) {
    return std::nullopt;
  }
  // bit_width(size) - 1 = floor(log2(size)) <= 63, so the shift never overflows.
  return bit(static_cast<unsigned>(std::bit_width(size)) - 1) - 1;
}

std::optional<std::uint64_t> ibst_left_child(std::uint64_t node, std::uint64_t size) noexcept {
  if (node >= size || ibst_level(node) == 0) {
    return std::nullopt;
  }
  // The left subtree lies wholly below `node`, so it is complete whatever the size.
  return left_of_intermediate(node);
}

std::optional<std::uint64_t> ibst_right_child(std::uint64_t node, std::uint64_t size) noexcept {
  const unsigned level = ibst_level(node);
  if (node >= size || level == 0 || node == size - 1) {
    return std::nullopt;
  }
  // node < size <= 2^64-1 has a zero bit at `level`, so level <= 63 and the shift fits; the
  // xor sets that zero bit and clears bit level-1: node + 2^(level-1), the right child in a
  // complete tree.
  std::uint64_t child = node ^ (std::uint64_t{3} << (level - 1));
  // In a truncated tree, descend left until back inside; node + 1 (a leaf) always is, so the
  // level check only guards the loop.
  while (child >= size && ibst_level(child) > 0) {
    child = left_of_intermediate(child);
  }
  return child;
}

std::vector<std::uint64_t> ibst_frontier(std::uint64_t size) {
  std::vector<std::uint64_t> frontier;
  for (std::optional<std::uint64_t> node = ibst_root(size); node;
       node = ibst_right_child(*node, size)) {
    frontier.push_back(*node);
  }
  return frontier;
}

std::optional<std::vector<std::uint64_t>> ibst_direct_path(std::uint64_t node, std::uint64_t size) {
  if (node >= size) {
    return std::nullopt;
  }
  // Walk down from the root, as a search for `node` would; each step lowers the level, so the
  // path has at most 64 entries.
  std::vector<std::uint64_t> path;
  std::optional<std::uint64_t> current = ibst_root(size);
  while (current && *current != node) {
    path.push_back(*current);
    current = node < *current ? ibst_left_child(*current, size) : ibst_right_child(*current, size);
  }
  if (!current) {
    return std::nullopt;  // Unreachable for node < size; kept so a bug cannot loop or lie.
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::optional<std::vector<std::uint64_t>> update_view_entries(
    std::uint64_t size, std::optional<std::uint64_t> advertised_size) {
  if (size == 0) {
    return std::nullopt;
  }
  if (!advertised_size) {
    return ibst_frontier(size);
  }
  if (*advertised_size == 0 || *advertised_size > size) {
    return std::nullopt;
  }
  const std::uint64_t retained_last = *advertised_size - 1;
  const std::optional<std::vector<std::uint64_t>> direct_path =
      ibst_direct_path(retained_last, size);
  if (!direct_path) {
    return std::nullopt;
  }
  // The direct path runs bottom up; the ancestors right of retained_last come out ascending.
  std::vector<std::uint64_t> entries;
  std::copy_if(direct_path->begin(), direct_path->end(), std::back_inserter(entries),
               [&](std::uint64_t ancestor) { return ancestor >= *advertised_size; });
  // The last of them is on the new frontier; with none, retained_last is (the editor's-copy
  // clause). Either way the rest of the frontier follows it.
  std::uint64_t frontier_node = entries.empty() ? retained_last : entries.back();
  while (const std::optional<std::uint64_t> next = ibst_right_child(frontier_node, size)) {
    entries.push_back(*next);
    frontier_node = *next;
  }
  return entries;
}

}  // namespace sealpost::keytrans
