// Behind a reverse proxy every connection comes from the proxy's address. With the proxy in
// http.trusted_proxies, per-IP limits count each real client (from X-Forwarded-For); from
// anyone else the header changes nothing.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <thread>

#include "api_client.hpp"
#include "server_process.hpp"
#include "test_database.hpp"

using namespace sealpost::testing;
namespace json = boost::json;

namespace {

// POST /v1/accounts as if relayed for `forwarded_for` (empty: no header).
unsigned register_via(http_client& http, const test_identity& id,
                      const std::string& forwarded_for) {
  std::map<std::string, std::string> headers;
  if (!forwarded_for.empty())
    headers["X-Forwarded-For"] = forwarded_for;
  const auto body = json::serialize(id.registration(unique_username("px"), random_password()));
  return http.request(http::verb::post, "/v1/accounts", body, headers).status;
}

unsigned wrong_login_via(http_client& http, const std::string& account_id,
                         const std::string& forwarded_for) {
  return http
      .request(http::verb::get, "/v1/keys/status", "",
               {{"Authorization", basic_auth(account_id, 1, "not-the-password-1234")},
                {"X-Forwarded-For", forwarded_for}})
      .status;
}

unsigned healthz_via(http_client& http, const std::string& forwarded_for) {
  return http.request(http::verb::get, "/healthz", "", {{"X-Forwarded-For", forwarded_for}}).status;
}

const std::map<std::string, std::string> kTightRegistration = {
    {"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST", "2"},
    {"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_PER_MINUTE", "1"}};

std::map<std::string, std::string> with(std::map<std::string, std::string> env,
                                        const std::map<std::string, std::string>& more) {
  env.insert(more.begin(), more.end());
  return env;
}

}  // namespace

TEST_CASE("a spoofed X-Forwarded-For from an untrusted peer changes nothing", "[proxy]") {
  test_database db;
  server_process server(db.url(), kTightRegistration);  // no trusted proxies
  http_client http(server.port());
  test_identity id;
  CHECK(register_via(http, id, "198.51.100.1") == 201);
  CHECK(register_via(http, id, "198.51.100.2") == 201);
  CHECK(register_via(http, id, "198.51.100.3") == 429);  // all three counted as 127.0.0.1
}

TEST_CASE("a proxy not in the list is not believed either", "[proxy]") {
  test_database db;
  server_process server(
      db.url(), with(kTightRegistration, {{"SEALPOST_HTTP_TRUSTED_PROXIES", "10.0.0.0/8"}}));
  http_client http(server.port());
  test_identity id;
  CHECK(register_via(http, id, "198.51.100.1") == 201);
  CHECK(register_via(http, id, "198.51.100.2") == 201);
  CHECK(register_via(http, id, "198.51.100.3") == 429);
}

TEST_CASE("behind a trusted proxy registration limits count each client", "[proxy]") {
  test_database db;
  server_process server(db.url(),
                        with(kTightRegistration, {{"SEALPOST_HTTP_TRUSTED_PROXIES", "127.0.0.1"}}));
  http_client http(server.port());
  test_identity id;
  CHECK(register_via(http, id, "198.51.100.1") == 201);
  CHECK(register_via(http, id, "198.51.100.1") == 201);
  CHECK(register_via(http, id, "198.51.100.1") == 429);
  // The client cannot escape by writing its own entry: the proxy appends what it saw.
  CHECK(register_via(http, id, "203.0.113.77, 198.51.100.1") == 429);
  // Another client behind the same proxy is not locked out.
  CHECK(register_via(http, id, "198.51.100.2") == 201);
  CHECK(register_via(http, id, "[2001:db8::5]:4711") == 201);
}

TEST_CASE("behind a trusted proxy failed logins count each client", "[proxy]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_HTTP_TRUSTED_PROXIES", "127.0.0.1"},
                                   {"SEALPOST_RATE_LIMITS_AUTH_FAILURE_PER_IP_BURST", "2"},
                                   {"SEALPOST_RATE_LIMITS_AUTH_FAILURE_PER_IP_PER_MINUTE", "1"}});
  test_identity id;
  const auto victim = register_account(server.port(), id, unique_username("pxv"));
  http_client http(server.port());
  CHECK(wrong_login_via(http, victim.account_id, "198.51.100.1") == 401);
  CHECK(wrong_login_via(http, victim.account_id, "198.51.100.1") == 401);
  CHECK(wrong_login_via(http, victim.account_id, "198.51.100.1") == 429);
  CHECK(wrong_login_via(http, victim.account_id, "198.51.100.2") == 401);
  // The real device, behind the same proxy, still gets in.
  api_client me(server.port(), victim);
  CHECK(me.get("/v1/keys/status").status == 200);
}

TEST_CASE("behind a trusted proxy the connection cap counts each client", "[proxy]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_HTTP_TRUSTED_PROXIES", "127.0.0.1"},
                                   {"SEALPOST_HTTP_MAX_CONNECTIONS_PER_IP", "2"}});
  // Five proxy connections: more than the cap, all from 127.0.0.1, none refused at accept.
  std::vector<std::unique_ptr<http_client>> relayed;
  for (int i = 0; i < 5; ++i)
    relayed.push_back(std::make_unique<http_client>(server.port()));
  CHECK(healthz_via(*relayed[0], "198.51.100.1") == 200);
  CHECK(healthz_via(*relayed[1], "198.51.100.1") == 200);
  const auto third =
      relayed[2]->request(http::verb::get, "/healthz", "", {{"X-Forwarded-For", "198.51.100.1"}});
  CHECK(third.status == 429);
  CHECK(third.json().at("error") == "too_many_connections");
  CHECK(healthz_via(*relayed[3], "198.51.100.2") == 200);
  CHECK(healthz_via(*relayed[4], "198.51.100.2") == 200);
  // When a client's connection goes, its place is free again.
  relayed[0].reset();
  bool admitted = false;
  for (int attempt = 0; attempt < 50 && !admitted; ++attempt) {
    admitted = healthz_via(*relayed[2], "198.51.100.1") == 200;
    if (!admitted)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(admitted);
}
