// Citus (distributed PostgreSQL): when the database has the `citus` extension, the tables
// are spread over its workers by account, so that every hot statement is a query on one
// shard (docs/scaling.md). On plain Postgres this does nothing.
#pragma once

#include <cstdint>
#include <pqxx/connection>
#include <string>
#include <vector>

namespace sealpost::storage {

// The first schema whose keys Citus can enforce (schema/0005_shard_friendly_keys.sql).
constexpr std::int32_t kFirstDistributableVersion = 5;

// Whether the database has the citus extension.
bool citus_present(pqxx::connection& conn);

// On Citus, the nodes (coordinator and workers) whose sessions in this database commit
// asynchronously (synchronous_commit = off): a shard move there loses the commits made just
// before it blocks writes (docs/scaling.md, "Moving shards while the service runs"). Empty on
// plain Postgres.
std::vector<std::string> citus_nodes_committing_async(pqxx::connection& conn);

// Distributes every table that is not distributed yet; idempotent, each step in its own
// transaction. Drops first the global constraints that Citus cannot enforce and that only
// nodes of schema 4 needed (schema/0005_shard_friendly_keys.sql says which). Returns how
// many tables it distributed. Call with the migrations' advisory lock held.
int distribute_tables(pqxx::connection& conn);

}  // namespace sealpost::storage
