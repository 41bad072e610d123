#include "transparency/prefix_reader.hpp"

#include <algorithm>
#include <stdexcept>

#include "transparency/raw_bytes.hpp"

namespace sealpost::transparency {
namespace {

keytrans::stored_prefix_node from_row(const storage::kt_prefix_node_row& row) {
  keytrans::stored_prefix_node node;
  node.place.depth = static_cast<std::uint16_t>(row.depth);
  node.place.prefix.assign(row.prefix.begin(), row.prefix.end());
  node.position = row.position;
  node.hash = as_array<keytrans::prefix_hash_size>(row.hash);
  if (row.leaf_key && row.leaf_commitment)
    node.leaf = keytrans::prefix_leaf{as_array<keytrans::prefix_search_key_size>(*row.leaf_key),
                                      as_array<keytrans::prefix_hash_size>(*row.leaf_commitment)};
  return node;
}

}  // namespace

database_prefix_reader::database_prefix_reader(pqxx::work& tx,
                                               std::span<const keytrans::prefix_search_key> keys,
                                               std::uint16_t lookahead)
    : tx_(tx), keys_(keys.begin(), keys.end()), lookahead_(lookahead) {}

void database_prefix_reader::fetch(const std::vector<keytrans::prefix_node_place>& places,
                                   std::uint64_t at) {
  std::vector<int> depths;
  std::vector<std::string> prefixes;
  for (const auto& place : places) {
    depths.push_back(place.depth);
    prefixes.push_back(as_string(place.prefix));
    cache_[place] = std::nullopt;
  }
  for (const auto& row : storage::read_kt_prefix_nodes(tx_, depths, prefixes, at)) {
    auto node = from_row(row);
    cache_[node.place] = std::move(node);
  }
}

std::vector<std::optional<keytrans::stored_prefix_node>> database_prefix_reader::read_level(
    std::span<const keytrans::prefix_node_place> places, std::uint64_t at) {
  if (cached_at_ != at) {
    cache_.clear();
    cached_at_ = at;
  }
  std::vector<keytrans::prefix_node_place> missing;
  for (const auto& place : places) {
    if (!cache_.contains(place))
      missing.push_back(place);
  }
  if (!missing.empty()) {
    if (lookahead_ > 0) {
      const auto depth = places.front().depth;
      auto ahead = keytrans::prefix_walk_places(keys_, depth,
                                                static_cast<std::uint16_t>(depth + lookahead_ - 1));
      std::erase_if(ahead, [&](const auto& place) { return cache_.contains(place); });
      missing.insert(missing.end(), ahead.begin(), ahead.end());
      std::sort(missing.begin(), missing.end());
      missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
    }
    fetch(missing, at);
  }
  std::vector<std::optional<keytrans::stored_prefix_node>> nodes;
  nodes.reserve(places.size());
  for (const auto& place : places)
    nodes.push_back(cache_.at(place));
  return nodes;
}

std::vector<storage::kt_prefix_node_row> to_rows(
    std::span<const keytrans::stored_prefix_node> nodes) {
  std::vector<storage::kt_prefix_node_row> rows;
  rows.reserve(nodes.size());
  for (const auto& n : nodes) {
    storage::kt_prefix_node_row row;
    row.depth = n.place.depth;
    row.prefix = as_string(n.place.prefix);
    row.position = n.position;
    row.hash = as_string(n.hash);
    if (n.leaf) {
      row.leaf_key = as_string(n.leaf->vrf_output);
      row.leaf_commitment = as_string(n.leaf->commitment);
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace sealpost::transparency
