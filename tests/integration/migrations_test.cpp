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

TEST_CASE("schema 12 drops the global keys of schema 4, from a schema 11 database in use",
          "[migrations]") {
  testing::test_database db;
  pqxx::connection conn(db.url());
  const auto all = storage::embedded_migrations();
  REQUIRE(all.size() >= 12);
  // Schema 11 as a running deployment has it (on Citus: distributed), with an account and a
  // link token in it.
  storage::apply_migrations(conn, all.first(11));
  const std::string account = "0b6f4a52-6a4e-4d36-9a0c-3c55d2f1e001";
  {
    pqxx::work tx(conn);
    tx.exec("INSERT INTO usernames (username, account_id) VALUES ('alice', '" + account + "')");
    tx.exec("INSERT INTO accounts (id, username) VALUES ('" + account + "', 'alice')");
    tx.exec("INSERT INTO link_tokens (token_hash, account_id, expires_at) VALUES ('\\x01', '" +
            account + "', now() + interval '1 minute')");
    tx.commit();
  }
  storage::apply_migrations(conn);
  CHECK(storage::applied_schema_version(conn) == storage::latest_schema_version());

  pqxx::work tx(conn);
  const auto count = [&](const std::string& sql) { return tx.exec1(sql)[0].as<int>(); };
  // No unique key left on accounts.username, messages.guid or link_tokens.token_hash alone,
  // and no trigger on accounts: only the per-account (and per-username) keys remain.
  CHECK(count("SELECT count(*) FROM pg_constraint WHERE conname IN ('accounts_username_key', "
              "'messages_guid_key', 'link_tokens_pkey')") == 0);
  CHECK(count("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accounts'::regclass AND NOT "
              "tgisinternal") == 0);
  CHECK(count("SELECT count(*) FROM pg_indexes WHERE indexname IN ('messages_device_guid', "
              "'link_tokens_account_hash', 'usernames_pkey')") == 3);
  CHECK(count("SELECT count(*) FROM pg_class WHERE oid = 'link_tokens'::regclass AND "
              "relreplident = 'i'") == 1);
  // The rows written under schema 11 are still there.
  CHECK(count("SELECT count(*) FROM accounts WHERE username = 'alice'") == 1);
  CHECK(count("SELECT count(*) FROM usernames WHERE username = 'alice'") == 1);
  CHECK(count("SELECT count(*) FROM link_tokens") == 1);
}
