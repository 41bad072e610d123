// On Citus (SEALPOST_TEST_ENGINE=citus, docs/scaling.md): accounts spread over both
// workers, and every hot statement (send, delivery fetch, ack, claim, presence) runs as one
// task on the one worker that holds the account. Two views of it: EXPLAIN of each statement,
// and a whole server on a database where Citus refuses any statement of more than one task,
// driven through every hot path. On plain Postgres there is nothing to place, and the tests
// say so.
#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api_client.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "wait_until.hpp"
#include "ws_client.hpp"

using namespace sealpost::testing;

namespace {

std::string explain(pqxx::connection& conn, const std::string& sql) {
  pqxx::nontransaction tx(conn);
  std::string plan;
  for (const auto& row : tx.exec("EXPLAIN (COSTS OFF, VERBOSE) " + sql))
    plan += row[0].as<std::string>() + "\n";
  return plan;
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
    workers.insert(citus_worker_of(db.url(), a.account_id));
  CHECK(workers.size() == 2);  // 16 random accounts, 32 shards, 2 workers: all on one, 2^-15

  const auto& to = accounts.front().account_id;
  const auto& from = accounts.back().account_id;
  const auto worker = citus_worker_of(db.url(), to);
  // A two-device send (the second device id need not exist: the checks run on the worker).
  check_one_task_on(explain(conn, "SELECT * FROM sealpost_send('" + to + "', '" + from +
                                      "', 1, '{1,2}', '{1,1}', '{1,1}', '{1,2}', '{1,1}', "
                                      "'\\x0102', 1, 1, 1000, 100, false)"),
                    worker);
  check_one_task_on(explain(conn, "SELECT sealpost_ack('" + to +
                                      "', 1, '{00000000-0000-4000-8000-000000000000}', false)"),
                    worker);
  check_one_task_on(explain(conn, "SELECT * FROM sealpost_claim('" + to + "', 1, 10)"), worker);
  // The delivery fetch and presence (server/storage/message_repository.cpp, kFetch,
  // kMarkPresent, kMarkAbsent), as the server writes them.
  check_one_task_on(
      explain(conn,
              "SELECT seq, guid::text, source_account::text, source_device, device_id, type, "
              "content, client_timestamp, server_timestamp FROM messages WHERE account_id = '" +
                  to +
                  "' AND device_id = 1 AND seq > 0 AND expires_at > now() ORDER BY seq "
                  "LIMIT 256"),
      worker);
  check_one_task_on(
      explain(conn, "INSERT INTO device_presence (account_id, device_id, connection_id) VALUES ('" +
                        to +
                        "', 1, '00000000-0000-4000-8000-000000000007') ON CONFLICT (account_id, "
                        "device_id) DO UPDATE SET connection_id = "
                        "EXCLUDED.connection_id, since = EXCLUDED.since"),
      worker);
  check_one_task_on(
      explain(conn,
              "DELETE FROM device_presence WHERE account_id = '" + to +
                  "' AND device_id = 1 AND connection_id = '00000000-0000-4000-8000-000000000007'"),
      worker);
}

TEST_CASE("on Citus, the hot paths of a real server run no statement of more than one task",
          "[citus]") {
  test_database db;
  if (citus_worker_urls().empty()) {
    WARN("plain Postgres: run with SEALPOST_TEST_ENGINE=citus to check the hot paths");
    return;
  }
  const std::map<std::string, std::string> env{
      {"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST", "100"}};
  // The first start migrates and distributes the tables (multi-shard work, once). Then
  // every new session of this database turns any multi-task statement into an error, which
  // the server answers as a 5xx: a statement that stops being single-shard fails here.
  { server_process migrate(db.url(), env); }
  {
    pqxx::connection conn(db.url());
    pqxx::nontransaction(conn).exec("ALTER DATABASE " + conn.quote_name(db.name()) +
                                    " SET citus.multi_task_query_log_level = 'error'");
  }
  server_process server(db.url(), env);
  {
    // The guard is on: a statement over all shards fails.
    pqxx::connection conn(db.url());
    CHECK_THROWS(pqxx::nontransaction(conn).exec("SELECT count(*) FROM messages"));
  }

  // Registration (usernames by username, the account by id) and linking a second device.
  test_identity alice_id, alice_phone_id, bob_id;
  const auto alice = register_account(server.port(), alice_id, unique_username("hot_alice"));
  api_client alice_api(server.port(), alice);
  const auto alice_phone = link_device(server.port(), alice_api, alice_phone_id);
  const auto bob = register_account(server.port(), bob_id, unique_username("hot_bob"));
  api_client bob_api(server.port(), bob);
  namespace json = boost::json;

  CHECK(alice_api
            .call(http::verb::put, "/v1/keys",
                  {{"one_time_prekeys", alice_id.one_time_prekeys(100, 5)}})
            .status == 204);
  CHECK(alice_api.get("/v1/keys/status").status == 200);
  CHECK(bob_api.get("/v1/accounts/" + alice.account_id + "/devices").status == 200);
  CHECK(bob_api.get("/v1/keys/" + alice.account_id + "/*").status == 200);  // the claim

  // Alice's phone is online (presence), her primary is not: a two-device send.
  auto phone = std::make_unique<ws_client>(server.port(), alice_phone);
  json::array messages;
  for (const auto device : {alice.device_id, alice_phone.device_id}) {
    messages.push_back(
        {{"device_id", device}, {"registration_id", 1234}, {"type", 1}, {"content", b64("hi")}});
  }
  const auto sent = bob_api.call(http::verb::put, "/v1/messages/" + alice.account_id,
                                 {{"timestamp", 1700000000000}, {"messages", messages}});
  INFO(sent.body);
  REQUIRE(sent.status == 200);

  // Delivery over the socket (fetch) and its ack; then the primary's REST fetch and delete.
  auto frame = phone->next();  // the empty queue's marker came first, on connecting
  while (frame && !frame->has_delivery())
    frame = phone->next();
  REQUIRE(frame);
  phone->ack({frame->delivery().guid()});
  const auto queue = alice_api.get("/v1/messages");
  REQUIRE(queue.status == 200);
  const auto queue_body = queue.json();
  const auto& queued = queue_body.at("messages").as_array();
  REQUIRE(queued.size() == 1);
  const std::string guid(queued[0].at("guid").as_string());
  CHECK(alice_api.call(http::verb::delete_, "/v1/messages/" + guid).status == 204);

  // The phone goes: its presence row is deleted (a failure would only be logged).
  phone.reset();
  pqxx::connection conn(db.url());
  const auto present = [&] {
    return pqxx::nontransaction(conn)
        .exec_params1("SELECT count(*) FROM device_presence WHERE account_id = $1",
                      alice.account_id)[0]
        .as<int>();
  };
  CHECK(wait_until([&] { return present() == 0; }, std::chrono::seconds(5)));
  // Only the background jobs (the TTL purge, the gauges) go over every shard, and fail here.
  const auto log = server.log_tail(1 << 20);
  INFO(log);
  CHECK(log.find("presence_update_failed") == std::string::npos);
  CHECK(log.find("\"status\":5") == std::string::npos);
}

// After a move, Citus drops the old placement later (pg_dist_cleanup). The rows of `account`
// in the old worker's copy of messages that the new placement lacks (by guid), as "N of M"
// (M: all its rows there, copied ones included), or "gone" once that copy is dropped. A send
// answered 200 that is only there committed before the move blocked writes, yet after the
// WAL position the move's final catch-up waited for: an asynchronous commit whose WAL was
// not written yet (docs/scaling.md, "Moving shards while the service runs").
std::string rows_only_in_old_placement(const test_database& db, pqxx::nontransaction& tx,
                                       const std::string& old_worker, const std::string& account) {
  std::set<std::string> current;
  for (const auto& row :
       tx.exec_params("SELECT guid::text FROM messages WHERE account_id = $1::uuid", account))
    current.insert(row[0].as<std::string>());
  for (const auto& row :
       tx.exec("SELECT object_name FROM pg_dist_cleanup WHERE object_name LIKE '%messages_%'")) {
    for (const auto& admin : citus_worker_urls()) {
      if (citus_node_name(admin) != old_worker)
        continue;
      std::string url = admin;
      url.replace(url.find("/postgres"), 9, "/" + db.name());
      pqxx::connection worker(url);
      pqxx::nontransaction wtx(worker);
      const std::string table = row[0].as<std::string>();
      if (!wtx.exec_params1("SELECT to_regclass($1) IS NOT NULL", table)[0].as<bool>())
        return "gone";
      std::size_t all = 0, only_there = 0;
      for (const auto& old_row : wtx.exec_params(
               "SELECT guid::text FROM " + table + " WHERE account_id = $1::uuid", account)) {
        ++all;
        only_there += current.count(old_row[0].as<std::string>()) == 0 ? 1 : 0;
      }
      return std::to_string(only_there) + " of " + std::to_string(all);
    }
  }
  return "gone";
}

TEST_CASE("on Citus, an account's shards move to the other worker while it is sent to", "[citus]") {
  test_database db;
  if (citus_worker_urls().empty()) {
    WARN("plain Postgres: run with SEALPOST_TEST_ENGINE=citus to move shards");
    return;
  }
  server_process server(db.url(), {{"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST", "100"},
                                   {"SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_BURST", "100000"}});
  pqxx::connection conn(db.url());
  pqxx::nontransaction tx(conn);
  // A send's commit must reach the WAL before its locks go: the move's final catch-up waits
  // for the source's written WAL only, so with synchronous_commit = off the last sends before
  // the switch can stay behind in the old placement (docs/scaling.md, "Moving shards while
  // the service runs").
  // scripts/local-citus.sh keeps it on; a cluster of one's own must too.
  for (const auto& row :
       tx.exec("SELECT nodeid, result FROM run_command_on_all_nodes('SHOW synchronous_commit')")) {
    INFO("node " << row[0].as<int>() << ": synchronous_commit = " << row[1].as<std::string>()
                 << " (a shard move may lose what it commits: docs/scaling.md)");
    REQUIRE(row[1].as<std::string>() != "off");
  }
  // Citus moves shards with logical replication: every distributed table needs a replica
  // identity (its primary key, or link_tokens' per-account unique key).
  const auto without_identity = tx.exec(R"sql(
SELECT c.relname FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
WHERE c.relreplident = 'n' OR (c.relreplident = 'd' AND NOT EXISTS (
  SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')))sql");
  for (const auto& row : without_identity)
    FAIL_CHECK("no replica identity: " << row[0].c_str());

  test_identity alice_id, bob_id;
  const auto alice = register_account(server.port(), alice_id, unique_username("move_alice"));
  const auto bob = register_account(server.port(), bob_id, unique_username("move_bob"));
  const auto from = citus_worker_of(db.url(), alice.account_id);
  const auto to = tx.exec_params1(
                        "SELECT nodename FROM pg_dist_node WHERE groupid > 0 AND "
                        "noderole = 'primary' AND nodename <> $1 LIMIT 1",
                        from)[0]
                      .as<std::string>();

  // Bob sends to Alice all through the move, one send after the other.
  std::atomic<bool> moving{true};
  std::vector<unsigned> statuses;
  std::thread sender([&] {
    api_client bob_api(server.port(), bob);
    for (int n = 0; moving || n < 5; ++n) {
      const boost::json::object message{{"device_id", alice.device_id},
                                        {"registration_id", 1234},
                                        {"type", 1},
                                        {"content", b64("m" + std::to_string(n))}};
      statuses.push_back(
          bob_api
              .call(http::verb::put, "/v1/messages/" + alice.account_id,
                    {{"timestamp", 1700000000000}, {"messages", boost::json::array{message}}})
              .status);
    }
  });
  // The account's shard and every shard colocated with it (its devices, keys, queue) move
  // together, by logical replication; writes wait only for the final switch.
  std::string move_error;
  try {
    tx.exec_params(
        "SELECT citus_move_shard_placement(get_shard_id_for_distribution_column('accounts', "
        "$1::uuid), $2, 5432, $3, 5432)",
        alice.account_id, from, to);
  } catch (const std::exception& e) {
    move_error = e.what();
  }
  moving = false;
  sender.join();
  INFO(move_error);
  REQUIRE(move_error.empty());

  CHECK(citus_worker_of(db.url(), alice.account_id) == to);
  CHECK(std::count(statuses.begin(), statuses.end(), 200u) ==
        static_cast<std::ptrdiff_t>(statuses.size()));
  // Every send answered 200 is stored, on the worker the queue now lives on...
  const auto stored = tx.exec_params1("SELECT count(*) FROM messages WHERE account_id = $1::uuid",
                                      alice.account_id)[0]
                          .as<std::size_t>();
  INFO("rows for alice only in the old placement of messages: " << rows_only_in_old_placement(
           db, tx, from, alice.account_id));
  CHECK(stored == statuses.size());
  // ...and delivered once from there. (Acked as they come: more than a delivery window's
  // worth may be queued. A loaded machine may be slow to deliver: 30 s per frame.)
  ws_client ws(server.port(), alice);
  std::vector<sealpost::v1::Envelope> delivered;
  bool queue_empty = false;
  while (auto frame = ws.next(std::chrono::seconds(30))) {
    if (frame->has_queue_empty()) {
      queue_empty = true;
      break;
    }
    if (frame->has_delivery()) {
      delivered.push_back(frame->delivery());
      ws.ack({frame->delivery().guid()});
    }
  }
  INFO("QueueEmpty came: " << queue_empty);
  CHECK(delivered.size() == statuses.size());
  std::set<std::string> contents;
  for (const auto& e : delivered)
    contents.insert(e.content());
  CHECK(contents.size() == statuses.size());
}

TEST_CASE("on Citus, a node that commits asynchronously is named in a warning at start",
          "[citus]") {
  test_database db;
  if (citus_worker_urls().empty()) {
    WARN("plain Postgres: run with SEALPOST_TEST_ENGINE=citus");
    return;
  }
  {
    server_process quiet(db.url());
    CHECK(quiet.log_tail(1 << 20).find("citus_async_commit") == std::string::npos);
  }
  // This database only, on every node: a session there commits asynchronously.
  {
    pqxx::connection conn(db.url());
    pqxx::nontransaction tx(conn);
    tx.exec(
        "SELECT run_command_on_all_nodes(format('ALTER DATABASE %I SET synchronous_commit "
        "= off', current_database()))");
  }
  server_process server(db.url());
  const auto log = server.log_tail(1 << 20);
  INFO(log);
  const auto warning = log.find("\"event\":\"citus_async_commit\"");
  REQUIRE(warning != std::string::npos);
  // Every node is named: the coordinator and both workers.
  const auto line = log.substr(warning, log.find('\n', warning) - warning);
  for (const auto& worker : citus_worker_urls())
    CHECK(line.find(citus_node_name(worker)) != std::string::npos);
}
