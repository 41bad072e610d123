#include "transparency/prefix_reader.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <stdexcept>
#include <utility>

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

std::vector<std::optional<keytrans::stored_prefix_node>> database_prefix_reader::read_places(
    std::span<const keytrans::prefix_node_place> places, std::uint64_t at) {
  std::vector<std::optional<keytrans::stored_prefix_node>> nodes(places.size());
  if (places.empty())
    return nodes;
  std::vector<int> depths;
  std::vector<std::string> prefixes;
  std::map<std::pair<int, std::string>, std::size_t> index;
  for (std::size_t i = 0; i < places.size(); ++i) {
    depths.push_back(places[i].depth);
    prefixes.push_back(as_string(places[i].prefix));
    index.emplace(std::pair(depths.back(), prefixes.back()), i);
  }
  for (const auto& row : storage::read_kt_prefix_nodes(tx_, depths, prefixes, at)) {
    if (const auto it = index.find({row.depth, row.prefix}); it != index.end())
      nodes[it->second] = from_row(row);
  }
  return nodes;
}

std::vector<std::optional<keytrans::stored_prefix_node>> database_prefix_reader::read_level(
    std::span<const keytrans::prefix_node_place> places, std::uint64_t at) {
  if (lookahead_ == 0)
    return read_places(places, at);
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
    const auto depth = places.front().depth;
    const auto ahead = keytrans::prefix_walk_places(
        keys_, depth, static_cast<std::uint16_t>(depth + lookahead_ - 1));
    std::copy_if(ahead.begin(), ahead.end(), std::back_inserter(missing),
                 [&](const auto& place) { return !cache_.contains(place); });
    std::sort(missing.begin(), missing.end());
    missing.erase(std::unique(missing.begin(), missing.end()), missing.end());
    const auto found = read_places(missing, at);
    for (std::size_t i = 0; i < missing.size(); ++i)
      cache_[missing[i]] = found[i];
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
