// The versioned prefix tree of common/keytrans/prefix_store.hpp over the kt_prefix_nodes
// table: one query per tree level.
#pragma once

#include <pqxx/transaction>
#include <vector>

#include "keytrans/prefix_store.hpp"
#include "storage/kt_repository.hpp"

namespace sealpost::transparency {

class database_prefix_reader final : public keytrans::prefix_node_reader {
 public:
  explicit database_prefix_reader(pqxx::work& tx) : tx_(tx) {}
  std::vector<std::optional<keytrans::stored_prefix_node>> read_level(
      std::span<const keytrans::prefix_node_place> places, std::uint64_t at) override;

 private:
  pqxx::work& tx_;
};

std::vector<storage::kt_prefix_node_row> to_rows(
    std::span<const keytrans::stored_prefix_node> nodes);

}  // namespace sealpost::transparency
