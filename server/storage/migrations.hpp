// Versioned schema migrations from schema/*.sql, embedded into the binary at build time and
// applied at start-up under an advisory lock, each in its own transaction.
#pragma once

#include <cstdint>
#include <pqxx/connection>
#include <span>
#include <stdexcept>
#include <string_view>

namespace sealpost::storage {

// Rolling upgrades follow expand-then-contract (deploy/README.md): a migration says which
// nodes keep working once it is applied. One that only adds (a table, a nullable column, an
// index) keeps the nodes of the release before it serving; one that removes or changes what
// older code uses does not. Written in the .sql file as `-- sealpost:compatible_from N`.
struct migration {
  std::int32_t version;
  std::string_view name;
  std::string_view sql;
  // The oldest schema version a node may be built for and still serve once this migration
  // is applied; 0 means `version` itself (only nodes that know this migration).
  std::int32_t compatible_from = 0;

  std::int32_t oldest_compatible() const {
    return compatible_from == 0 ? version : compatible_from;
  }
};

// Every migration of this build, ordered by version (generated from schema/).
std::span<const migration> embedded_migrations();

// The newest version this build knows.
std::int32_t latest_schema_version();

// The newest version of a given list (0 when empty).
std::int32_t latest_version(std::span<const migration> migrations);

// What the database's schema is, and which nodes it can serve.
struct schema_state {
  std::int32_t version = 0;            // the highest applied migration (0: none)
  std::int32_t oldest_compatible = 0;  // the oldest node version every applied one allows
};

// Whether a node built for schema `node_version` may serve on `state`: the schema is at
// that version, or newer and every newer migration stated it keeps such nodes working.
bool can_serve(const schema_state& state, std::int32_t node_version);

// The schema state recorded in schema_migrations ({0, 0} before any migration).
schema_state read_schema_state(pqxx::connection& conn);

// Applies every migration not yet recorded in schema_migrations. Two processes doing this at
// once serialise on a Postgres advisory lock, so each migration runs exactly once; a failing
// migration rolls back entirely (transactional DDL) and its exception propagates.
// Returns how many migrations this call applied.
int apply_migrations(pqxx::connection& conn);

// The same for an explicit list (ordered by version); used by tests.
int apply_migrations(pqxx::connection& conn, std::span<const migration> migrations);

// Thrown at start-up when the database's schema is newer than this node and a migration this
// node does not know has said that nodes of its version can no longer serve.
class incompatible_schema : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// apply_migrations, then a check that a node built for `migrations` can serve on the
// result; throws incompatible_schema naming both versions when not.
void migrate_for_node(pqxx::connection& conn, std::span<const migration> migrations);

// The highest applied version, 0 when none (or no migrations table yet).
std::int32_t applied_schema_version(pqxx::connection& conn);

}  // namespace sealpost::storage
