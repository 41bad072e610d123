// §6.1's recursion, followed only along the paths an answer depends on: a node's parent is
// distinguished whenever the node is, so the rightmost distinguished entry of any subtree lies
// on that subtree's right spine.
#include "keytrans/distinguished.hpp"

#include "keytrans/ibst.hpp"

namespace sealpost::keytrans {
namespace {

struct spine_walk {
  distinguished_status status = distinguished_status::none;
  std::uint64_t last = 0;                    // the last distinguished entry on the spine
  std::optional<std::uint64_t> before_last;  // the distinguished spine entry before `last`
  std::uint64_t last_left_bound = 0;         // the left timestamp `last` was judged with
};

// Follows right children from `start` (reached by the recursion with bounds left/right) while
// the entries are distinguished. Entries on a right spine share the right bound.
spine_walk walk_right_spine(std::uint64_t start, std::uint64_t left, std::uint64_t right,
                            std::uint64_t size, std::uint64_t window,
                            const timestamp_lookup& timestamp_of) {
  spine_walk walk;
  std::uint64_t node = start;
  while (spans_monitoring_window(left, right, window)) {
    if (walk.status == distinguished_status::found) {
      walk.before_last = walk.last;
    }
    walk.status = distinguished_status::found;
    walk.last = node;
    walk.last_left_bound = left;
    const std::optional<std::uint64_t> child = ibst_right_child(node, size);
    if (!child) {
      break;
    }
    const std::optional<std::uint64_t> node_timestamp = timestamp_of(node);
    if (!node_timestamp) {
      walk.status = distinguished_status::missing_timestamp;
      return walk;
    }
    left = *node_timestamp;
    node = *child;
  }
  return walk;
}

distinguished_search found_at(std::uint64_t position) {
  return {distinguished_status::found, position};
}

distinguished_search with_status(distinguished_status status) {
  return {status, 0};
}

}  // namespace

bool spans_monitoring_window(std::uint64_t left, std::uint64_t right,
                             std::uint64_t window) noexcept {
  return right >= left && right - left >= window;
}

std::optional<bool> is_distinguished(std::uint64_t position, std::uint64_t size,
                                     std::uint64_t window, const timestamp_lookup& timestamp_of) {
  if (position >= size) {
    return std::nullopt;
  }
  std::optional<std::uint64_t> right = timestamp_of(size - 1);
  if (!right) {
    return std::nullopt;
  }
  std::uint64_t left = 0;
  std::optional<std::uint64_t> node = ibst_root(size);
  // Down the root path; the recursion stops at the first entry that is not distinguished.
  while (node) {
    if (!spans_monitoring_window(left, *right, window)) {
      return false;
    }
    if (*node == position) {
      return true;
    }
    const std::optional<std::uint64_t> node_timestamp = timestamp_of(*node);
    if (!node_timestamp) {
      return std::nullopt;
    }
    if (position < *node) {
      right = node_timestamp;
      node = ibst_left_child(*node, size);
    } else {
      left = *node_timestamp;
      node = ibst_right_child(*node, size);
    }
  }
  return std::nullopt;  // Unreachable for position < size: the walk always reaches it.
}

namespace {

// The walk down the frontier from the root (both searches start with it), or the result
// that ends the search before it: an empty log, or a timestamp the caller lacks.
struct frontier_walk {
  std::optional<spine_walk> walk;
  distinguished_search early;
  std::uint64_t last_timestamp = 0;  // of entry size - 1, when walked
};

frontier_walk walk_frontier(std::uint64_t size, std::uint64_t window,
                            const timestamp_lookup& timestamp_of) {
  const std::optional<std::uint64_t> root = ibst_root(size);
  if (!root) {
    return {std::nullopt, {}};
  }
  const std::optional<std::uint64_t> last_timestamp = timestamp_of(size - 1);
  if (!last_timestamp) {
    return {std::nullopt, with_status(distinguished_status::missing_timestamp)};
  }
  const spine_walk walk = walk_right_spine(*root, 0, *last_timestamp, size, window, timestamp_of);
  if (walk.status != distinguished_status::found) {
    return {std::nullopt, with_status(walk.status)};
  }
  return {walk, {}, *last_timestamp};
}

}  // namespace

distinguished_search rightmost_distinguished(std::uint64_t size, std::uint64_t window,
                                             const timestamp_lookup& timestamp_of) {
  const frontier_walk walked = walk_frontier(size, window, timestamp_of);
  return walked.walk ? found_at(walked.walk->last) : walked.early;
}

distinguished_search previous_rightmost_distinguished(std::uint64_t size, std::uint64_t window,
                                                      const timestamp_lookup& timestamp_of) {
  const frontier_walk walked = walk_frontier(size, window, timestamp_of);
  if (!walked.walk) {
    return walked.early;
  }
  const spine_walk& frontier = *walked.walk;
  if (frontier.last != size - 1) {
    return found_at(frontier.last);
  }
  // The last entry is distinguished. Entries left of it and right of the frontier entry before
  // it form its left subtree, which the recursion enters with the last entry's own bounds.
  if (const std::optional<std::uint64_t> left_child = ibst_left_child(size - 1, size)) {
    const spine_walk subtree = walk_right_spine(*left_child, frontier.last_left_bound,
                                                walked.last_timestamp, size, window, timestamp_of);
    if (subtree.status != distinguished_status::none) {
      return {subtree.status, subtree.last};
    }
  }
  if (frontier.before_last) {
    return found_at(*frontier.before_last);
  }
  return {};
}

}  // namespace sealpost::keytrans
