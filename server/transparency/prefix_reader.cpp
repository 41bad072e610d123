#include "transparency/prefix_reader.hpp"

#include <map>
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

std::vector<std::optional<keytrans::stored_prefix_node>> database_prefix_reader::read_level(
    std::span<const keytrans::prefix_node_place> places, std::uint64_t at) {
  std::vector<std::optional<keytrans::stored_prefix_node>> nodes(places.size());
  if (places.empty())
    return nodes;
  std::vector<std::string> prefixes;
  for (const auto& place : places)
    prefixes.push_back(as_string(place.prefix));
  std::map<std::string, keytrans::stored_prefix_node> found;
  for (const auto& row : storage::read_kt_prefix_level(tx_, places[0].depth, prefixes, at))
    found.emplace(row.prefix, from_row(row));
  for (std::size_t i = 0; i < places.size(); ++i) {
    if (const auto it = found.find(prefixes[i]); it != found.end())
      nodes[i] = it->second;
  }
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
