// The entry lists of DESIGN.md's REST section, built from ibst.hpp's navigation and §6.1's
// window test, so the server's choice and the client's check are one computation.
#include "keytrans/proof_plan.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "keytrans/ibst.hpp"

namespace sealpost::keytrans {

std::optional<std::vector<std::uint64_t>> kt_proof_entries(
    std::uint64_t tree_size, std::optional<std::uint64_t> last,
    std::span<const std::uint64_t> positions) {
  // update_view_entries refuses size 0 and a `last` of 0 or past the size, as this must.
  std::optional<std::vector<std::uint64_t>> entries = update_view_entries(tree_size, last);
  if (!entries) {
    return std::nullopt;
  }
  for (const std::uint64_t position : positions) {
    const std::optional<std::vector<std::uint64_t>> path = ibst_direct_path(position, tree_size);
    if (!path) {
      return std::nullopt;  // position >= tree_size
    }
    entries->push_back(position);
    entries->insert(entries->end(), path->begin(), path->end());
  }
  std::sort(entries->begin(), entries->end());
  entries->erase(std::unique(entries->begin(), entries->end()), entries->end());
  return entries;
}

std::optional<std::vector<std::uint64_t>> search_ladder_positions(
    std::uint64_t tree_size, std::uint64_t window, const timestamp_lookup& timestamp_of) {
  const std::optional<std::uint64_t> root = ibst_root(tree_size);
  if (!root) {
    return std::nullopt;
  }
  const distinguished_search rightmost = rightmost_distinguished(tree_size, window, timestamp_of);
  if (rightmost.status == distinguished_status::missing_timestamp) {
    return std::nullopt;
  }
  // The rightmost distinguished entry is always on the frontier (distinguished.hpp), so the
  // ladders are the frontier from it on.
  const std::uint64_t first =
      rightmost.status == distinguished_status::found ? rightmost.position : *root;
  std::vector<std::uint64_t> positions = ibst_frontier(tree_size);
  std::erase_if(positions, [&](std::uint64_t node) { return node < first; });
  return positions;
}

std::optional<std::vector<std::uint64_t>> monitoring_ladder_positions(
    std::uint64_t position, std::uint64_t tree_size, std::uint64_t window,
    const timestamp_lookup& timestamp_of) {
  const std::optional<bool> distinguished =
      is_distinguished(position, tree_size, window, timestamp_of);
  if (!distinguished) {
    return std::nullopt;  // position >= tree_size, or a missing timestamp
  }
  std::vector<std::uint64_t> ladders;
  if (*distinguished) {
    return ladders;  // §8.2 step 1: nothing left to monitor
  }
  const std::optional<std::vector<std::uint64_t>> path = ibst_direct_path(position, tree_size);
  if (!path) {
    return std::nullopt;
  }
  // Bottom up, the ancestors right of `position` come out ascending (each is the nearest
  // ancestor whose left subtree holds the one before).
  for (const std::uint64_t ancestor : *path) {
    if (ancestor < position) {
      continue;  // §8.2 step 2.2
    }
    ladders.push_back(ancestor);
    const std::optional<bool> ancestor_distinguished =
        is_distinguished(ancestor, tree_size, window, timestamp_of);
    if (!ancestor_distinguished) {
      return std::nullopt;
    }
    if (*ancestor_distinguished) {
      break;  // §8.2 step 2.3: the owner checks from here on
    }
  }
  return ladders;
}

namespace {

// The §6.1 recursion as an in-order walk (ascending positions), skipping subtrees that lie
// wholly at or left of `start` and stopping after `limit` entries.
class distinguished_walk {
 public:
  enum class outcome : std::uint8_t { go_on, limit_reached, missing_timestamp };

  distinguished_walk(std::uint64_t start, std::uint64_t size, std::uint64_t window,
                     const timestamp_lookup& timestamp_of, std::size_t limit)
      : start_(start), size_(size), window_(window), timestamp_of_(timestamp_of), limit_(limit) {}

  outcome visit(std::uint64_t node, std::uint64_t left, std::uint64_t right) {
    if (!spans_monitoring_window(left, right, window_)) {
      return outcome::go_on;  // §6.1 step 2: not distinguished, nor anything below it
    }
    // A timestamp is asked for only when a child is entered, since only a child's bounds use it.
    std::optional<std::uint64_t> node_timestamp;
    const std::optional<std::uint64_t> left_child = ibst_left_child(node, size_);
    if (left_child && node - 1 > start_) {  // the left subtree ends at node - 1
      node_timestamp = timestamp_of_(node);
      if (!node_timestamp) {
        return outcome::missing_timestamp;
      }
      if (const outcome result = visit(*left_child, left, *node_timestamp);
          result != outcome::go_on) {
        return result;
      }
    }
    if (node > start_) {
      found_.push_back(node);
      if (found_.size() >= limit_) {
        return outcome::limit_reached;
      }
    }
    const std::optional<std::uint64_t> right_child = ibst_right_child(node, size_);
    if (!right_child || last_below(node) <= start_) {
      return outcome::go_on;
    }
    if (!node_timestamp) {
      node_timestamp = timestamp_of_(node);
      if (!node_timestamp) {
        return outcome::missing_timestamp;
      }
    }
    return visit(*right_child, *node_timestamp, right);
  }

  std::vector<std::uint64_t> take_found() { return std::move(found_); }

 private:
  // The last entry of `node`'s subtree: its complete range ends 2^level - 1 to its right
  // (node has a zero bit at its level, so the sum stays below 2^64 - 1), cut at the log's end.
  [[nodiscard]] std::uint64_t last_below(std::uint64_t node) const noexcept {
    const std::uint64_t reach = node + ((std::uint64_t{1} << ibst_level(node)) - 1);
    return std::min(reach, size_ - 1);
  }

  std::uint64_t start_;
  std::uint64_t size_;
  std::uint64_t window_;
  const timestamp_lookup& timestamp_of_;
  std::size_t limit_;
  std::vector<std::uint64_t> found_;
};

}  // namespace

std::optional<std::vector<std::uint64_t>> distinguished_entries_after(
    std::uint64_t start, std::uint64_t tree_size, std::uint64_t window,
    const timestamp_lookup& timestamp_of, std::size_t limit) {
  if (start >= tree_size) {
    return std::nullopt;
  }
  std::vector<std::uint64_t> none;
  if (limit == 0) {
    return none;
  }
  const std::optional<std::uint64_t> last_timestamp = timestamp_of(tree_size - 1);
  if (!last_timestamp) {
    return std::nullopt;
  }
  // §6.1's initial call: the root, with bounds 0 and the last entry's timestamp.
  distinguished_walk walk(start, tree_size, window, timestamp_of, limit);
  if (walk.visit(*ibst_root(tree_size), 0, *last_timestamp) ==
      distinguished_walk::outcome::missing_timestamp) {
    return std::nullopt;
  }
  return walk.take_found();
}

std::optional<std::vector<std::uint64_t>> distinguished_entries_after(
    std::uint64_t start, std::uint64_t tree_size, std::uint64_t window,
    const timestamp_lookup& timestamp_of) {
  return distinguished_entries_after(start, tree_size, window, timestamp_of,
                                     std::numeric_limits<std::size_t>::max());
}

}  // namespace sealpost::keytrans
