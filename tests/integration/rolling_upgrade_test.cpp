// Rolling upgrades: nodes of release N keep serving while a node of release N+1 migrates the
// shared database with an expand-only migration, and refuse a schema that has moved past
// what they can serve. "N+1" is sealpost-server-next: this build with one more migration.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <vector>

#include "api_client.hpp"
#include "server_process.hpp"
#include "storage/migrations.hpp"
#include "test_database.hpp"

using namespace sealpost;
using namespace sealpost::testing;
namespace json = boost::json;

namespace {

const std::int32_t kN = storage::latest_schema_version();

http_result readyz(const server_process& node) {
  http_client admin(node.admin_port());
  return admin.get("/readyz");
}

// A send from `from` to `to`'s only device through `node`, then the envelope fetched by `to`
// through `other`: the whole relay path, across the two versions.
void relay_one(const server_process& node, const device_login& from, const server_process& other,
               const device_login& to) {
  api_client sender(node.port(), from);
  json::object message{{"device_id", 1},
                       {"registration_id", 1234},
                       {"type", 1},
                       {"content", b64(std::string("across versions"))}};
  const auto sent = sender.call(http::verb::put, "/v1/messages/" + to.account_id,
                                json::object{{"timestamp", 1}, {"messages", json::array{message}}});
  REQUIRE(sent.status == 200);
  api_client receiver(other.port(), to);
  const auto polled = receiver.get("/v1/messages");
  REQUIRE(polled.status == 200);
  const auto answer = polled.json();
  const auto& messages = answer.at("messages").as_array();
  REQUIRE(messages.size() == 1);
  const std::string guid(messages[0].at("guid").as_string());
  CHECK(receiver.call(http::verb::delete_, "/v1/messages/" + guid).status == 204);
}

}  // namespace

TEST_CASE("an old node keeps serving while a new one migrates, then the upgrade completes",
          "[upgrade]") {
  test_database db;
  auto old_a = std::make_unique<server_process>(db.url());
  auto old_b = std::make_unique<server_process>(db.url());
  CHECK(readyz(*old_a).json().at("schema_version") == kN);
  CHECK(readyz(*old_b).status == 200);
  test_identity alice_id, bob_id;
  const auto alice = register_account(old_a->port(), alice_id, unique_username("up_a"));

  // Node B is replaced by release N+1, which applies migration N+1 at start-up.
  old_b.reset();
  auto new_b = std::make_unique<server_process>(db.url(), std::map<std::string, std::string>{},
                                                SEALPOST_NEXT_SERVER_BINARY);
  const auto new_ready = readyz(*new_b);
  REQUIRE(new_ready.status == 200);
  CHECK(new_ready.json().at("schema_version") == kN + 1);
  CHECK(new_ready.json().at("node_schema_version") == kN + 1);

  // Node A, still release N, stays ready and serves every kind of request.
  const auto old_ready = readyz(*old_a);
  CHECK(old_ready.status == 200);
  CHECK(old_ready.json().at("schema_version") == kN + 1);
  CHECK(old_ready.json().at("node_schema_version") == kN);
  const auto bob = register_account(old_a->port(), bob_id, unique_username("up_b"));
  relay_one(*old_a, alice, *new_b, bob);
  relay_one(*new_b, bob, *old_a, alice);

  // Then A is upgraded too; nothing more is migrated, both serve.
  old_a.reset();
  server_process new_a(db.url(), {}, SEALPOST_NEXT_SERVER_BINARY);
  CHECK(readyz(new_a).status == 200);
  relay_one(new_a, alice, *new_b, bob);

  pqxx::connection conn(db.url());
  pqxx::work tx(conn);
  const auto row = tx.exec_params1(
      "SELECT name, compatible_from FROM schema_migrations WHERE version = $1", kN + 1);
  CHECK(row[0].as<std::string>() == "rolling_upgrade_probe");
  CHECK(row[1].as<int>() == kN);
}

TEST_CASE("a node neither serves nor starts on a schema past its compatibility window",
          "[upgrade]") {
  test_database db;
  server_process old_node(db.url());
  REQUIRE(readyz(old_node).status == 200);

  // A contract migration: it states that only nodes that know it may serve.
  const auto current = storage::embedded_migrations();
  std::vector<storage::migration> next(current.begin(), current.end());
  next.push_back({kN + 1, "drop_something_old", "SELECT 1", 0});
  pqxx::connection conn(db.url());
  storage::apply_migrations(conn, next);

  const auto ready = readyz(old_node);
  CHECK(ready.status == 503);
  CHECK_THAT(ready.json().at("message").as_string().c_str(),
             Catch::Contains("only nodes built for version " + std::to_string(kN + 1)));

  const auto restart = run_server_command({}, {{"SEALPOST_DATABASE_URL", db.url()},
                                               {"SEALPOST_LISTEN", "127.0.0.1:0"},
                                               {"SEALPOST_ADMIN_LISTEN", "127.0.0.1:0"}});
  CHECK(restart.exit_code == 1);
  CHECK_THAT(restart.output, Catch::Contains("schema is at version " + std::to_string(kN + 1)) &&
                                 Catch::Contains("built for version " + std::to_string(kN)));
}

TEST_CASE("schema compatibility: at the node's version, or newer within the window", "[upgrade]") {
  CHECK(storage::can_serve({5, 5}, 5));
  CHECK(storage::can_serve({6, 5}, 5));        // 6 is expand-only back to 5
  CHECK(storage::can_serve({7, 5}, 5));        // so are 6 and 7
  CHECK_FALSE(storage::can_serve({6, 6}, 5));  // 6 contracts
  CHECK_FALSE(storage::can_serve({4, 4}, 5));  // the database is behind this node
  CHECK(storage::migration{6, "x", "", 0}.oldest_compatible() == 6);
  CHECK(storage::migration{6, "x", "", 4}.oldest_compatible() == 4);
}
