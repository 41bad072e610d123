// Versioned schema migrations from schema/*.sql, embedded into the binary at build time and
// applied at start-up under an advisory lock, each in its own transaction.
#pragma once

#include <cstdint>
#include <pqxx/connection>
#include <span>
#include <string_view>

namespace sealpost::storage {

struct migration {
  std::int32_t version;
  std::string_view name;
  std::string_view sql;
};

// Every migration of this build, ordered by version (generated from schema/).
std::span<const migration> embedded_migrations();

// The newest version this build knows.
std::int32_t latest_schema_version();

// Applies every migration not yet recorded in schema_migrations. Two processes doing this at
// once serialise on a Postgres advisory lock, so each migration runs exactly once; a failing
// migration rolls back entirely (transactional DDL) and its exception propagates.
// Returns how many migrations this call applied.
int apply_migrations(pqxx::connection& conn);

// The same for an explicit list (ordered by version); used by tests.
int apply_migrations(pqxx::connection& conn, std::span<const migration> migrations);

// The highest applied version, 0 when none (or no migrations table yet).
std::int32_t applied_schema_version(pqxx::connection& conn);

}  // namespace sealpost::storage
