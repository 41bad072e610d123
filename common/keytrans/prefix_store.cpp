// Insertion into and proofs from the versioned prefix tree. Both share one top-down walk: the
// keys involved (new leaves, or searches) are sorted, so the keys below any place form one
// contiguous range, and each level of the walk holds the places those ranges reach plus the
// siblings of the parents they pass through (whose stored hashes the parents need). The walk
// stops at a place that is missing or a leaf. Insertion then hashes bottom-up over the levels
// the walk recorded; proving replays them depth-first, left before right, which gives the
// elements prefix_tree::prove's order.
#include "keytrans/prefix_store.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

#include "keytrans/prefix_tree_bits.hpp"

namespace sealpost::keytrans {
namespace {

using detail::prefix_key_bit;
using detail::prefix_key_bits;
using detail::split_prefix_leaves;

constexpr prefix_hash missing_node{};  // the all-zero stand-in

// One place the walk reached at some depth.
struct walk_slot {
  std::optional<stored_prefix_node> node;  // as read; nullopt: missing (or nothing to read yet)
  // The sorted keys [begin, end) lie below this place; empty for a sibling read only for its
  // hash.
  std::size_t begin = 0;
  std::size_t end = 0;
  // For a parent the walk went through: its children are slots `left` and `left + 1` of the
  // next level.
  bool expanded = false;
  std::size_t left = 0;
  prefix_hash hash{};  // filled bottom-up by insertion

  [[nodiscard]] bool has_keys() const noexcept { return begin != end; }
};

// A slot for the sorted keys [begin, end), its node not read yet.
walk_slot slot_over(std::size_t begin, std::size_t end) {
  walk_slot slot;
  slot.begin = begin;
  slot.end = end;
  return slot;
}

// The places of one depth, kept apart from the slots so that they can be handed to the reader
// as they are.
struct walk_level {
  std::vector<prefix_node_place> places;
  std::vector<walk_slot> slots;
};

bool is_parent(const std::optional<stored_prefix_node>& node) {
  return node.has_value() && !node->leaf.has_value();
}

prefix_hash value_of(const std::optional<stored_prefix_node>& node) {
  return node ? node->hash : missing_node;
}

prefix_node_place child_place(const prefix_node_place& parent, unsigned bit) {
  prefix_node_place child{static_cast<std::uint16_t>(parent.depth + 1), parent.prefix};
  const unsigned offset = parent.depth % 8;
  if (offset == 0) {
    child.prefix.push_back(0);
  }
  if (bit != 0) {
    child.prefix.back() = static_cast<std::uint8_t>(child.prefix.back() | (0x80U >> offset));
  }
  return child;
}

[[noreturn]] void corrupt(const char* what) {
  throw std::runtime_error(std::string("prefix store: ") + what);
}

// Reads `places` at `at` and checks that the answer can be the tree at `at`, so that a broken
// reader yields an exception rather than a wrong root, a wrong proof or an out-of-range bit.
std::vector<std::optional<stored_prefix_node>> read_checked(
    prefix_node_reader& reader, std::span<const prefix_node_place> places, std::uint64_t at) {
  std::vector<std::optional<stored_prefix_node>> nodes = reader.read_level(places, at);
  if (nodes.size() != places.size()) {
    corrupt("reader returned a different number of nodes than places asked");
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const std::optional<stored_prefix_node>& node = nodes[i];
    if (!node) {
      continue;
    }
    if (node->place != places[i] || node->position > at) {
      corrupt("reader returned a node for another place or a later entry");
    }
    if (node->leaf && prefix_place_of(node->leaf->vrf_output, places[i].depth) != places[i]) {
      corrupt("a stored leaf's key is not below its place");
    }
    if (!node->leaf && places[i].depth >= prefix_key_bits) {
      corrupt("a parent below the last key bit");
    }
  }
  return nodes;
}

void read_level_into(prefix_node_reader& reader, std::optional<std::uint64_t> at,
                     walk_level& level) {
  if (!at) {
    return;  // the tree is empty: every node is missing, nothing to ask
  }
  std::vector<std::optional<stored_prefix_node>> nodes = read_checked(reader, level.places, *at);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    level.slots[i].node = std::move(nodes[i]);
  }
}

// The walk over `sorted_keys` (non-empty, ascending, repeats allowed) in the tree at `at`
// (nullopt: the empty tree). levels[d] holds depth d; one read per level.
std::vector<walk_level> walk(prefix_node_reader& reader, std::optional<std::uint64_t> at,
                             std::span<const prefix_search_key> sorted_keys) {
  std::vector<walk_level> levels(1);
  levels[0].places.emplace_back();
  levels[0].slots.push_back(slot_over(0, sorted_keys.size()));
  read_level_into(reader, at, levels[0]);
  for (unsigned depth = 0;; ++depth) {
    walk_level next;
    walk_level& current = levels[depth];
    for (std::size_t i = 0; i < current.slots.size(); ++i) {
      walk_slot& slot = current.slots[i];
      if (!slot.has_keys() || !is_parent(slot.node)) {
        continue;  // a sibling, or where the keys' walks end
      }
      // read_checked refused parents at depth 256, so bit `depth` exists.
      const auto first = sorted_keys.begin() + static_cast<std::ptrdiff_t>(slot.begin);
      const auto last = sorted_keys.begin() + static_cast<std::ptrdiff_t>(slot.end);
      const auto middle = std::partition_point(first, last, [depth](const prefix_search_key& k) {
        return prefix_key_bit(k, depth) == 0;
      });
      const std::size_t split = slot.begin + static_cast<std::size_t>(middle - first);
      slot.expanded = true;
      slot.left = next.slots.size();
      next.places.push_back(child_place(current.places[i], 0));
      next.slots.push_back(slot_over(slot.begin, split));
      next.places.push_back(child_place(current.places[i], 1));
      next.slots.push_back(slot_over(split, slot.end));
    }
    if (next.slots.empty()) {
      return levels;
    }
    read_level_into(reader, at, next);
    levels.push_back(std::move(next));
  }
}

// ---- insertion ----

// Writes the rows of the subtree that holds exactly `leaves` (sorted, distinct, sharing the
// first `depth` bits), all new or changed, and returns its value: the in-memory trie of
// prefix_tree.cpp, with every node it builds recorded.
prefix_hash build_subtree(std::span<const prefix_leaf> leaves, unsigned depth,
                          std::uint64_t position, std::vector<stored_prefix_node>& rows) {
  if (leaves.empty()) {
    return missing_node;
  }
  const prefix_node_place place =
      prefix_place_of(leaves.front().vrf_output, static_cast<std::uint16_t>(depth));
  if (leaves.size() == 1) {
    const prefix_hash hash = prefix_leaf_hash(leaves.front());
    rows.push_back({place, position, hash, leaves.front()});
    return hash;
  }
  // Distinct keys part before bit 256, so `depth` is a valid bit here.
  const auto [left, right] = split_prefix_leaves(leaves, depth);
  const prefix_hash left_hash = build_subtree(left, depth + 1, position, rows);
  const prefix_hash right_hash = build_subtree(right, depth + 1, position, rows);
  const prefix_hash hash = prefix_parent_hash(left_hash, right_hash);
  rows.push_back({place, position, hash, std::nullopt});
  return hash;
}

bool leaf_key_less(const prefix_leaf& a, const prefix_leaf& b) {
  return a.vrf_output < b.vrf_output;
}

// Where the new keys' walk ends at a missing place or an old leaf: everything below is
// rebuilt from the new leaves plus the old one, which moves down (its old place becomes a
// parent).
prefix_hash insert_at_end(const walk_slot& slot, unsigned depth,
                          std::span<const prefix_leaf> new_leaves, std::uint64_t position,
                          std::vector<stored_prefix_node>& rows) {
  if (!slot.node) {
    return build_subtree(new_leaves, depth, position, rows);
  }
  const prefix_leaf& old_leaf = *slot.node->leaf;
  std::vector<prefix_leaf> merged(new_leaves.begin(), new_leaves.end());
  const auto at = std::lower_bound(merged.begin(), merged.end(), old_leaf, leaf_key_less);
  if (at != merged.end() && at->vrf_output == old_leaf.vrf_output) {
    throw std::invalid_argument("prefix_store_insert: a key is already in the tree");
  }
  merged.insert(at, old_leaf);
  return build_subtree(merged, depth, position, rows);
}

// The new value of every slot of `levels`, deepest level first, with a row for each node that
// changes. The root's value ends in levels[0].slots[0].hash.
std::vector<stored_prefix_node> hash_bottom_up(std::vector<walk_level>& levels,
                                               std::span<const prefix_leaf> sorted_leaves,
                                               std::uint64_t position) {
  std::vector<stored_prefix_node> rows;
  for (std::size_t depth = levels.size(); depth-- > 0;) {
    walk_level& level = levels[depth];
    for (std::size_t i = 0; i < level.slots.size(); ++i) {
      walk_slot& slot = level.slots[i];
      if (!slot.has_keys()) {
        slot.hash = value_of(slot.node);  // an unchanged sibling: its stored value
      } else if (slot.expanded) {
        const std::vector<walk_slot>& children = levels[depth + 1].slots;
        slot.hash = prefix_parent_hash(children[slot.left].hash, children[slot.left + 1].hash);
        rows.push_back({level.places[i], position, slot.hash, std::nullopt});
      } else {
        slot.hash =
            insert_at_end(slot, static_cast<unsigned>(depth),
                          sorted_leaves.subspan(slot.begin, slot.end - slot.begin), position, rows);
      }
    }
  }
  return rows;
}

std::vector<prefix_leaf> sorted_distinct(std::span<const prefix_leaf> leaves) {
  std::vector<prefix_leaf> sorted(leaves.begin(), leaves.end());
  std::sort(sorted.begin(), sorted.end(), leaf_key_less);
  const auto repeated = std::adjacent_find(
      sorted.begin(), sorted.end(),
      [](const prefix_leaf& a, const prefix_leaf& b) { return a.vrf_output == b.vrf_output; });
  if (repeated != sorted.end()) {
    throw std::invalid_argument("prefix_store_insert: a key appears twice in the batch");
  }
  return sorted;
}

// ---- proving ----

class proof_replay {
 public:
  proof_replay(const std::vector<walk_level>& levels, std::span<const prefix_search_key> searches,
               std::span<const std::size_t> order, prefix_proof& proof)
      : levels_(levels), searches_(searches), order_(order), proof_(proof) {}

  // As prefix_tree's proof_builder::visit: fills the results of the searches below slot
  // `index` of `depth` and appends the copath values under it. false when a result's depth
  // does not fit a uint8.
  bool visit(std::size_t depth, std::size_t index) {
    const walk_slot& slot = levels_[depth].slots[index];
    if (!slot.expanded) {
      return end_searches(slot, depth);
    }
    for (const std::size_t child_index : {slot.left, slot.left + 1}) {
      const walk_slot& child = levels_[depth + 1].slots[child_index];
      if (!child.has_keys()) {
        proof_.elements.push_back(value_of(child.node));
      } else if (!visit(depth + 1, child_index)) {
        return false;
      }
    }
    return true;
  }

 private:
  // The searches end here: at a leaf (theirs or another's) or at a missing node.
  bool end_searches(const walk_slot& slot, std::size_t depth) {
    if (depth > std::numeric_limits<std::uint8_t>::max()) {
      return false;
    }
    for (std::size_t k = slot.begin; k < slot.end; ++k) {
      const std::size_t index = order_[k];
      prefix_search_result& result = proof_.results[index];
      result.depth = static_cast<std::uint8_t>(depth);
      if (!slot.node) {
        result.type = prefix_result_type::non_inclusion_parent;
      } else if (slot.node->leaf->vrf_output == searches_[index]) {
        result.type = prefix_result_type::inclusion;
      } else {
        result.type = prefix_result_type::non_inclusion_leaf;
        result.leaf = slot.node->leaf;
      }
    }
    return true;
  }

  const std::vector<walk_level>& levels_;
  std::span<const prefix_search_key> searches_;
  std::span<const std::size_t> order_;
  prefix_proof& proof_;
};

}  // namespace

prefix_node_place prefix_place_of(const prefix_search_key& key, std::uint16_t depth) {
  if (depth > prefix_key_bits) {
    throw std::invalid_argument("prefix_place_of: depth past the key's bits");
  }
  prefix_node_place place{depth, bytes(key.begin(), key.begin() + (depth + 7) / 8)};
  if (depth % 8 != 0) {
    place.prefix.back() = static_cast<std::uint8_t>(place.prefix.back() & (0xFF00U >> (depth % 8)));
  }
  return place;
}

std::vector<prefix_node_place> prefix_walk_places(std::span<const prefix_search_key> keys,
                                                  std::uint16_t first, std::uint16_t last) {
  std::vector<prefix_node_place> places;
  for (unsigned depth = first; depth <= std::min<unsigned>(last, prefix_key_bits); ++depth) {
    for (const prefix_search_key& key : keys) {
      prefix_node_place place = prefix_place_of(key, static_cast<std::uint16_t>(depth));
      if (depth > 0) {
        const unsigned bit = depth - 1;  // the last bit of the place: flipped, the sibling
        prefix_node_place sibling = place;
        sibling.prefix[bit / 8] =
            static_cast<std::uint8_t>(sibling.prefix[bit / 8] ^ (0x80U >> (bit % 8)));
        places.push_back(std::move(sibling));
      }
      places.push_back(std::move(place));
    }
  }
  std::sort(places.begin(), places.end());
  places.erase(std::unique(places.begin(), places.end()), places.end());
  return places;
}

prefix_hash prefix_store_root(prefix_node_reader& reader, std::uint64_t at) {
  const std::vector<prefix_node_place> root(1);
  return value_of(read_checked(reader, root, at).front());
}

prefix_store_insert_result prefix_store_insert(prefix_node_reader& reader,
                                               std::optional<std::uint64_t> base,
                                               std::span<const prefix_leaf> new_leaves,
                                               std::uint64_t position) {
  if (base && position <= *base) {
    throw std::invalid_argument("prefix_store_insert: position must come after base");
  }
  if (new_leaves.empty()) {
    return {{}, base ? prefix_store_root(reader, *base) : missing_node};
  }
  const std::vector<prefix_leaf> sorted = sorted_distinct(new_leaves);
  std::vector<prefix_search_key> keys;
  keys.reserve(sorted.size());
  for (const prefix_leaf& leaf : sorted) {
    keys.push_back(leaf.vrf_output);
  }
  std::vector<walk_level> levels = walk(reader, base, keys);
  prefix_store_insert_result result;
  result.rows = hash_bottom_up(levels, sorted, position);
  result.root = levels[0].slots[0].hash;
  // Sorted by place, so callers (and tests) see one order whatever the walk's.
  std::sort(
      result.rows.begin(), result.rows.end(),
      [](const stored_prefix_node& a, const stored_prefix_node& b) { return a.place < b.place; });
  return result;
}

std::optional<prefix_proof> prefix_store_prove(prefix_node_reader& reader, std::uint64_t at,
                                               std::span<const prefix_search_key> searches) {
  if (searches.size() > max_prefix_searches) {
    return std::nullopt;
  }
  prefix_proof proof;
  proof.results.resize(searches.size());
  if (searches.empty()) {
    return proof;  // nothing searched, nothing to show (and nothing read)
  }
  // The walk needs the searches sorted; `order` maps its ranges back to the caller's indices.
  std::vector<std::size_t> order(searches.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return searches[a] < searches[b]; });
  std::vector<prefix_search_key> sorted;
  sorted.reserve(order.size());
  for (const std::size_t index : order) {
    sorted.push_back(searches[index]);
  }
  const std::vector<walk_level> levels = walk(reader, at, sorted);
  if (!proof_replay(levels, searches, order, proof).visit(0, 0)) {
    return std::nullopt;
  }
  return proof;
}

void memory_prefix_store::store(std::span<const stored_prefix_node> rows) {
  for (const stored_prefix_node& row : rows) {
    if (nodes_[row.place].insert_or_assign(row.position, row).second) {
      ++row_count_;
    }
  }
}

std::vector<std::optional<stored_prefix_node>> memory_prefix_store::read_level(
    std::span<const prefix_node_place> places, std::uint64_t at) {
  std::vector<std::optional<stored_prefix_node>> nodes;
  nodes.reserve(places.size());
  for (const prefix_node_place& place : places) {
    std::optional<stored_prefix_node>& node = nodes.emplace_back();
    const auto values = nodes_.find(place);
    if (values == nodes_.end()) {
      continue;
    }
    auto after = values->second.upper_bound(at);  // the first value that starts after `at`
    if (after != values->second.begin()) {
      node = std::prev(after)->second;
    }
  }
  return nodes;
}

}  // namespace sealpost::keytrans
