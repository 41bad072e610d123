// Schema migrations against a real Postgres: idempotent, recorded once, atomic on failure.
#include "storage/migrations.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "test_database.hpp"

using namespace sealpost;

TEST_CASE("migrations apply once and record each version", "[migrations]") {
  testing::test_database db;
  pqxx::connection conn(db.url());
  CHECK(storage::applied_schema_version(conn) == 0);
  const auto all = storage::embedded_migrations();
  REQUIRE(!all.empty());
  CHECK(storage::apply_migrations(conn) == static_cast<int>(all.size()));
  CHECK(storage::apply_migrations(conn) == 0);
  CHECK(storage::applied_schema_version(conn) == storage::latest_schema_version());
  pqxx::work tx(conn);
  CHECK(tx.exec1("SELECT count(*) FROM schema_migrations")[0].as<int>() ==
        static_cast<int>(all.size()));
}

TEST_CASE("a failing migration leaves the schema as it was", "[migrations]") {
  testing::test_database db;
  pqxx::connection conn(db.url());
  const storage::migration good[] = {{1, "first", "CREATE TABLE first_table (x int)"}};
  const storage::migration with_bad[] = {
      {1, "first", "CREATE TABLE first_table (x int)"},
      {2, "broken", "CREATE TABLE second_table (y int); SELECT no_such_function();"}};
  CHECK(storage::apply_migrations(conn, good) == 1);
  CHECK_THROWS(storage::apply_migrations(conn, with_bad));
  pqxx::work tx(conn);
  CHECK(tx.exec1("SELECT to_regclass('second_table') IS NULL")[0].as<bool>());
  CHECK(tx.exec1("SELECT max(version) FROM schema_migrations")[0].as<int>() == 1);
}
