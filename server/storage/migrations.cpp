// The migration runner.
#include "storage/migrations.hpp"

#include <pqxx/nontransaction>
#include <pqxx/transaction>

#include "storage/distribution.hpp"

namespace sealpost::storage {
namespace {

// Arbitrary but fixed: every Sealpost process takes the same lock.
constexpr std::int64_t kMigrationLockKey = 0x5EA1'7057'0000'0001;

// compatible_from came after the first release: rows written by nodes that predate it hold
// NULL, read as "only nodes of this version" (the safe reading).
constexpr std::string_view kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS compatible_from integer)sql";

constexpr std::string_view kReadSchemaState = R"sql(
SELECT coalesce(max(version), 0), coalesce(max(coalesce(compatible_from, version)), 0)
FROM schema_migrations)sql";

// Session-level advisory lock held for the lifetime of this object.
class advisory_lock {
 public:
  explicit advisory_lock(pqxx::connection& conn) : conn_(conn) {
    pqxx::nontransaction tx(conn_);
    tx.exec_params("SELECT pg_advisory_lock($1)", kMigrationLockKey);
  }
  ~advisory_lock() {
    try {
      pqxx::nontransaction tx(conn_);
      tx.exec_params("SELECT pg_advisory_unlock($1)", kMigrationLockKey);
    } catch (...) {
      // The lock dies with the session anyway; nothing more to do on a broken connection.
    }
  }
  advisory_lock(const advisory_lock&) = delete;
  advisory_lock& operator=(const advisory_lock&) = delete;

 private:
  pqxx::connection& conn_;
};

}  // namespace

std::int32_t latest_schema_version() {
  return latest_version(embedded_migrations());
}

std::int32_t latest_version(std::span<const migration> migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

bool can_serve(const schema_state& state, std::int32_t node_version) {
  return state.version >= node_version && state.oldest_compatible <= node_version;
}

schema_state read_schema_state(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  if (!tx.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL")[0].as<bool>())
    return {};
  // A table made by a node older than compatible_from has no such column yet.
  if (tx.exec1("SELECT count(*) FROM information_schema.columns WHERE table_schema = "
               "current_schema() AND table_name = 'schema_migrations' AND column_name = "
               "'compatible_from'")[0]
          .as<int>() == 0) {
    const auto version =
        tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<std::int32_t>();
    return {version, version};
  }
  const auto row = tx.exec1(std::string(kReadSchemaState));
  return {row[0].as<std::int32_t>(), row[1].as<std::int32_t>()};
}

void migrate_for_node(pqxx::connection& conn, std::span<const migration> migrations) {
  apply_migrations(conn, migrations);
  const auto state = read_schema_state(conn);
  const auto mine = latest_version(migrations);
  if (!can_serve(state, mine)) {
    throw incompatible_schema("the database schema is at version " + std::to_string(state.version) +
                              ", which serves only nodes built for version " +
                              std::to_string(state.oldest_compatible) +
                              " or newer; this node is built for version " + std::to_string(mine) +
                              ": upgrade it (deploy/README.md, \"Rolling upgrades\")");
  }
}

std::int32_t applied_schema_version(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  auto exists = tx.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists[0].as<bool>())
    return 0;
  return tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations")[0].as<std::int32_t>();
}

int apply_migrations(pqxx::connection& conn) {
  return apply_migrations(conn, embedded_migrations());
}

int apply_migrations(pqxx::connection& conn, std::span<const migration> migrations) {
  advisory_lock lock(conn);
  {
    pqxx::work tx(conn);
    tx.exec(std::string(kCreateMigrationsTable));
    tx.commit();
  }
  int applied = 0;
  for (const auto& m : migrations) {
    pqxx::work tx(conn);
    auto done = tx.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", m.version);
    if (!done.empty())
      continue;
    tx.exec(std::string(m.sql));
    tx.exec_params(
        "INSERT INTO schema_migrations (version, name, compatible_from) VALUES ($1, $2, $3)",
        m.version, std::string(m.name), m.oldest_compatible());
    tx.commit();
    ++applied;
  }
  // On Citus, the tables are spread over the workers once the schema has the keys that
  // allow it (schema 5); a test that applies only older migrations keeps them local.
  if (latest_version(migrations) >= kFirstDistributableVersion)
    distribute_tables(conn);
  return applied;
}

}  // namespace sealpost::storage
