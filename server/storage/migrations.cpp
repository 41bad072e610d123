// The migration runner.
#include "storage/migrations.hpp"

#include <pqxx/nontransaction>
#include <pqxx/transaction>

namespace sealpost::storage {
namespace {

// Arbitrary but fixed: every Sealpost process takes the same lock.
constexpr std::int64_t kMigrationLockKey = 0x5EA1'7057'0000'0001;

constexpr std::string_view kCreateMigrationsTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
))sql";

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
  auto all = embedded_migrations();
  return all.empty() ? 0 : all.back().version;
}

std::int32_t applied_schema_version(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  auto exists = tx.exec1("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (!exists[0].as<bool>()) return 0;
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
    if (!done.empty()) continue;
    tx.exec(std::string(m.sql));
    tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                   std::string(m.name));
    tx.commit();
    ++applied;
  }
  return applied;
}

}  // namespace sealpost::storage
