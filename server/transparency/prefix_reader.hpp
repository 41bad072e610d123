// The versioned prefix tree of common/keytrans/prefix_store.hpp over the kt_prefix_nodes
// table: one query per tree level, or, for a walk whose keys are known (a proof), one query
// per `lookahead` levels.
#pragma once

#include <map>
#include <optional>
#include <pqxx/transaction>
#include <span>
#include <vector>

#include "keytrans/prefix_store.hpp"
#include "storage/kt_repository.hpp"

namespace sealpost::transparency {

class database_prefix_reader final : public keytrans::prefix_node_reader {
 public:
  explicit database_prefix_reader(pqxx::work& tx) : tx_(tx) {}
  // For walks along `keys` only: each query also reads every place the walk may ask for in
  // the next `lookahead` levels (prefix_walk_places), so a proof in a tree d levels deep
  // takes about d / lookahead round trips instead of d.
  database_prefix_reader(pqxx::work& tx, std::span<const keytrans::prefix_search_key> keys,
                         std::uint16_t lookahead);

  std::vector<std::optional<keytrans::stored_prefix_node>> read_level(
      std::span<const keytrans::prefix_node_place> places, std::uint64_t at) override;

 private:
  // One query: each of `places` (any depths) as of `at`, in their order.
  std::vector<std::optional<keytrans::stored_prefix_node>> read_places(
      std::span<const keytrans::prefix_node_place> places, std::uint64_t at);

  pqxx::work& tx_;
  std::vector<keytrans::prefix_search_key> keys_;
  std::uint16_t lookahead_ = 0;
  std::optional<std::uint64_t> cached_at_;
  std::map<keytrans::prefix_node_place, std::optional<keytrans::stored_prefix_node>> cache_;
};

std::vector<storage::kt_prefix_node_row> to_rows(
    std::span<const keytrans::stored_prefix_node> nodes);

}  // namespace sealpost::transparency
