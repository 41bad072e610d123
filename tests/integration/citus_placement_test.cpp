// On Citus (SEALPOST_TEST_ENGINE=citus, docs/scaling.md): accounts spread over both
// workers, and the send, ack and claim each run as one task on the one worker that holds
// the account. On plain Postgres there is nothing to place, and the test says so.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <set>
#include <string>

#include "api_client.hpp"
#include "server_process.hpp"
#include "test_database.hpp"

using namespace sealpost::testing;

namespace {

std::string explain(pqxx::connection& conn, const std::string& sql) {
  pqxx::nontransaction tx(conn);
  std::string plan;
  for (const auto& row : tx.exec("EXPLAIN (COSTS OFF, VERBOSE) " + sql))
    plan += row[0].as<std::string>() + "\n";
  return plan;
}

// The worker that holds `account`'s shard of accounts (all colocated tables follow it).
std::string worker_of(pqxx::connection& conn, const std::string& account) {
  pqxx::nontransaction tx(conn);
  return tx
      .exec_params1(
          "SELECT p.nodename FROM pg_dist_placement pl "
          "JOIN pg_dist_node p USING (groupid) "
          "WHERE pl.shardid = get_shard_id_for_distribution_column('accounts', $1::uuid)",
          account)[0]
      .as<std::string>();
}

void check_one_task_on(const std::string& plan, const std::string& worker) {
  INFO(plan);
  CHECK(plan.find("Task Count: 1\n") != std::string::npos);
  CHECK(plan.find("Distributed Subplan") == std::string::npos);
  CHECK(plan.find("host=" + worker + " ") != std::string::npos);
}

}  // namespace

TEST_CASE(
    "on Citus, accounts spread over the workers and a send, ack or claim is one task on "
    "the account's worker",
    "[citus]") {
  test_database db;
  if (citus_worker_urls().empty()) {
    WARN("plain Postgres: run with SEALPOST_TEST_ENGINE=citus to check placement");
    return;
  }
  server_process server(db.url(), {{"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST", "100"}});
  const auto accounts = register_senders(server.port(), 16);
  pqxx::connection conn(db.url());

  std::set<std::string> workers;
  for (const auto& a : accounts)
    workers.insert(worker_of(conn, a.account_id));
  CHECK(workers.size() == 2);  // 16 random accounts, 32 shards, 2 workers: all on one, 2^-15

  const auto& to = accounts.front().account_id;
  const auto& from = accounts.back().account_id;
  const auto worker = worker_of(conn, to);
  // A two-device send (the second device id need not exist: the checks run on the worker).
  check_one_task_on(explain(conn, "SELECT * FROM sealpost_send('" + to + "', '" + from +
                                      "', 1, '{1,2}', '{1,1}', '{1,1}', '{1,2}', '{1,1}', "
                                      "'\\x0102', 1, 1, 1000, 100, false)"),
                    worker);
  check_one_task_on(explain(conn, "SELECT sealpost_ack('" + to +
                                      "', 1, '{00000000-0000-4000-8000-000000000000}', false)"),
                    worker);
  check_one_task_on(explain(conn, "SELECT * FROM sealpost_claim('" + to + "', 1, 10)"), worker);
}
