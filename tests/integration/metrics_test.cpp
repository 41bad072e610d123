// Operators' view: traffic through a server moves the matching counters by the right
// amounts, as seen through a real Prometheus scrape; promtool accepts the exposition.
#include <sys/wait.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdio>

#include "api_client.hpp"
#include "prometheus_server.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "ws_client.hpp"

using namespace sealpost::testing;
namespace json = boost::json;

namespace {

int run_with_stdin(const std::string& command, const std::string& input) {
  FILE* p = popen(command.c_str(), "w");
  if (p == nullptr)
    return -1;
  fwrite(input.data(), 1, input.size(), p);
  return WEXITSTATUS(pclose(p));
}

}  // namespace

TEST_CASE("traffic moves the counters by the right amounts, through a real Prometheus scrape",
          "[metrics]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_BURST", "3"},
                                   {"SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_PER_MINUTE", "1"}});
  test_identity a_id, b_id;
  auto alice = register_account(server.port(), a_id, unique_username("alice"), 0);
  auto bob = register_account(server.port(), b_id, unique_username("bob"), 2);
  api_client a(server.port(), alice);

  // 3 bundle claims: 2 one-time keys, then an empty pool (EC) and one PQ last-resort serve.
  for (int i = 0; i < 3; ++i)
    REQUIRE(a.get("/v1/keys/" + bob.account_id + "/1").status == 200);
  CHECK(a.get("/v1/keys/" + bob.account_id + "/1").status == 429);
  // One failed authentication.
  CHECK(api_client(server.port(), {alice.account_id, 1, "wrong-password-wrong"})
            .get("/v1/keys/status")
            .status == 401);
  // 4 envelopes, delivered and acked over a WebSocket.
  ws_client ws(server.port(), bob);
  for (int i = 0; i < 4; ++i) {
    json::object body{{"timestamp", 1},
                      {"messages", json::array{{{"device_id", 1},
                                                {"registration_id", 1234},
                                                {"type", 1},
                                                {"content", b64(std::string("ciphertext"))}}}}};
    REQUIRE(a.call(http::verb::put, "/v1/messages/" + bob.account_id, body).status == 200);
  }
  int delivered = 0;
  while (delivered < 4) {
    auto frame = ws.next();
    REQUIRE(frame.has_value());
    if (!frame->has_delivery())
      continue;
    ws.ack({frame->delivery().guid()});
    ++delivered;
  }

  // promtool accepts the exposition as it is.
  auto exposition = http_client(server.admin_port()).get("/metrics");
  REQUIRE(exposition.status == 200);
  CHECK(run_with_stdin("promtool check metrics >/dev/null 2>&1", exposition.body) == 0);

  // A real Prometheus scrapes the admin listener once a second.
  prometheus_server prometheus(server.admin_port());
  CHECK(prometheus.await_value("sealpost_envelopes_total{event=\"enqueued\"}", 4) == 4);
  CHECK(prometheus.await_value("sealpost_envelopes_total{event=\"delivered\"}", 4) == 4);
  CHECK(prometheus.await_value("sealpost_envelopes_total{event=\"acked\"}", 4) == 4);
  CHECK(prometheus.await_value("sealpost_prekey_claims_total{kind=\"ec\"}", 2) == 2);
  CHECK(prometheus.await_value("sealpost_prekey_pool_empty_total{kind=\"ec\"}", 1) == 1);
  CHECK(prometheus.await_value("sealpost_prekey_last_resort_served_total", 1) == 1);
  CHECK(prometheus.await_value("sealpost_rate_limited_total{limiter=\"bundle_per_pair\"}", 1) == 1);
  CHECK(prometheus.await_value("sealpost_auth_failures_total", 1) == 1);
  CHECK(prometheus.await_value("sealpost_http_requests_total{route=\"/v1/messages/"
                               "{account_id}\",method=\"PUT\",status=\"200\"}",
                               4) == 4);
  CHECK(prometheus.await_value("sealpost_open_websockets", 1) == 1);
  CHECK(prometheus.await_value("sealpost_build_info", 1) == 1);
  // The node's own readiness check (as /readyz) and the pool's ceiling.
  CHECK(prometheus.await_value("sealpost_ready", 1) == 1);
  CHECK(prometheus.await_value("sealpost_ack_delay_seconds_count", 4) == 4);  // each ack timed
  CHECK(prometheus.await_value("sealpost_db_pool_size", 4) == 4);  // server_process sets 4
  // No label anywhere carries an account id.
  CHECK(exposition.body.find(alice.account_id) == std::string::npos);
  CHECK(exposition.body.find(bob.account_id) == std::string::npos);
}
