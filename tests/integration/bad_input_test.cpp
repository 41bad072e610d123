// Hostile and malformed input against a live server: every request gets a 4xx, the
// database is unchanged afterwards (compared table by table), and the server keeps serving.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "api_client.hpp"
#include "server_process.hpp"
#include "test_database.hpp"

using namespace sealpost::testing;
namespace json = boost::json;

namespace {

const char* const kTables[] = {"accounts",         "devices",
                               "signed_prekeys",   "pq_last_resort_prekeys",
                               "one_time_prekeys", "pq_one_time_prekeys",
                               "link_tokens",      "invites",
                               "backups",          "messages",
                               "claimed_prekeys",  "device_presence",
                               "usernames",        "kt_config"};

// A fingerprint of every row of every table.
std::map<std::string, std::string> snapshot(const std::string& url) {
  pqxx::connection conn(url);
  pqxx::work tx(conn);
  std::map<std::string, std::string> out;
  for (const char* table : kTables) {
    auto row = tx.exec1(
        std::string("SELECT coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM ") +
        table + " t");
    out[table] = row[0].as<std::string>();
  }
  return out;
}

struct probe {
  http::verb method;
  std::string target;
  std::string body;
  bool authenticated = true;
};

}  // namespace

TEST_CASE("malformed and hostile requests get a 4xx and change nothing", "[security][bad-input]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST", "100000"},
                                   {"SEALPOST_RATE_LIMITS_AUTH_FAILURE_PER_IP_BURST", "100000"},
                                   {"SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_BURST", "100000"},
                                   {"SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_BURST", "100000"},
                                   {"SEALPOST_RATE_LIMITS_BUNDLE_PER_REQUESTER_BURST", "100000"}});
  test_identity id;
  const auto name = unique_username("victim");
  auto me = register_account(server.port(), id, name);
  const std::string acct = me.account_id;
  const auto good = id.registration(unique_username("x"), random_password());

  std::vector<probe> probes;
  auto add_body = [&](http::verb m, const std::string& target, const std::string& body,
                      bool auth = true) {
    probes.push_back({m, target, body, auth});
  };
  // Bodies that are not what the endpoint takes, for every endpoint with a body.
  const std::vector<std::string> junk = {
      "",
      "{",
      "[]",
      "null",
      "\"string\"",
      "{\"a\":",
      std::string(20, '[') + std::string(20, ']'),
      "{\"timestamp\": 1e400}",
      "{\"messages\": \"no\"}",
      "\xff\xfe{}",
      "{\"one_time_prekeys\": [{\"key_id\": 99999999999999999999}]}",
      "{\"signed_prekey\": {\"key_id\": 1, \"public_key\": \"====\", \"signature\": \"\"}}"};
  for (const auto& body : junk) {
    add_body(http::verb::post, "/v1/accounts", body, false);
    add_body(http::verb::post, "/v1/devices", body, false);
    add_body(http::verb::put, "/v1/keys", body);
    add_body(http::verb::put, "/v1/messages/" + acct, body);
  }
  // Registration: one field wrong at a time.
  auto registration_with = [&](const std::string& field, const json::value& value) {
    json::object b = good;
    if (value.is_null()) {
      b.erase(field);
    } else {
      b[field] = value;
    }
    add_body(http::verb::post, "/v1/accounts", json::serialize(b), false);
  };
  registration_with("username", "\xc3\x28invalid-utf8");
  registration_with("username", "ctl\x01name");
  registration_with("username", "UPPER");
  registration_with("username", json::string(std::string(33, 'a')));
  registration_with("username", json::string(name));  // taken
  registration_with("username", 42);
  registration_with("password", json::value(nullptr));
  registration_with("password", json::string(std::string(10000, 'p')));
  registration_with("registration_id", "1");
  registration_with("registration_id", 1.5);
  registration_with("registration_id", -1);
  registration_with("registration_id", json::value(std::uint64_t(18446744073709551615ULL)));
  registration_with("identity_key", "AAAA");
  registration_with("identity_key", json::string(b64(std::string(33, '\x05')).substr(1)));
  registration_with("identity_key", json::string(b64(std::string(34, '\x0e'))));
  registration_with("identity_key", json::string(b64(std::string(33, '\x08'))));
  registration_with("signed_prekey", json::array{});
  registration_with("signed_prekey", json::object{{"key_id", 1}});
  registration_with("one_time_prekeys", json::array{1, 2});
  registration_with("pq_last_resort_prekey", id.signed_prekey(2));  // an EC key where KEM goes
  registration_with("extra", true);
  registration_with("invite", 5);
  // Link with made-up tokens.
  {
    json::object b = good;
    b.erase("username");
    b["link_token"] = "forged";
    add_body(http::verb::post, "/v1/devices", json::serialize(b), false);
  }
  // Paths: traversal, bad ids, encodings; authenticated and not.
  for (const std::string& target :
       std::vector<std::string>{"/v1/keys/../accounts/me",
                                "/v1/keys/%2e%2e/x",
                                "/v1/accounts//devices",
                                "/v1/accounts/" + acct + "/devices/",
                                "/v1/keys/" + acct + "/-1",
                                "/v1/keys/" + acct + "/99999999999",
                                "/v1/keys/" + acct + "/1.0",
                                "/v1/keys/" + acct + "/%31",
                                "/v1/keys/" + acct + "/**",
                                "/v1/keys/XYZ/1",
                                "/v1/keys/" + acct + "x/1",
                                "/v1/accounts/00000000-0000-0000-0000-000000000000/devices",
                                "/v1/accounts/ABCDEF00-0000-4000-8000-000000000000/devices",
                                "/v1/messages/not-a-guid",
                                "/v1/messages/" + acct,
                                "/v1/devices/0",
                                "/v1/devices/-2",
                                "/v1/devices/abc",
                                "/v1/accounts/by-username/%00",
                                "/../../etc/passwd",
                                "/v1/websocket"}) {
    probes.push_back({http::verb::get, target, "", true});
    probes.push_back({http::verb::delete_, target, "", true});
  }
  // Unauthenticated access to everything that needs a device.
  for (const std::string& target :
       std::vector<std::string>{"/v1/keys/status", "/v1/messages", "/v1/backup",
                                "/v1/accounts/" + acct + "/devices", "/v1/keys/" + acct + "/*"}) {
    probes.push_back({http::verb::get, target, "", false});
  }
  probes.push_back({http::verb::delete_, "/v1/accounts/me", "", false});
  probes.push_back({http::verb::put, "/v1/backup", std::string(64, 'b'), false});

  const auto before = snapshot(db.url());
  std::size_t tried = 0;
  for (const auto& p : probes) {
    std::map<std::string, std::string> headers;
    if (p.authenticated)
      headers["Authorization"] = basic_auth(me.account_id, 1, me.password);
    http_result r = http_client(server.port()).request(p.method, p.target, p.body, headers);
    ++tried;
    INFO(http::to_string(p.method) << " " << p.target << " body=" << p.body.substr(0, 80) << " -> "
                                   << r.status << " " << r.body);
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
    if (!r.body.empty() && r.headers["content-type"] == "application/json") {
      auto parsed = json::parse(r.body).as_object();
      CHECK(parsed.contains("error"));
      CHECK(parsed.contains("message"));
    }
  }
  // Oversized headers and bodies on every route family.
  for (const std::string& target :
       std::vector<std::string>{"/v1/accounts", "/v1/keys", "/v1/messages/" + acct, "/v1/backup"}) {
    auto big_header = send_raw(server.port(), "PUT " + target + " HTTP/1.1\r\nHost: x\r\nX: " +
                                                  std::string(20000, 'h') + "\r\n\r\n");
    CHECK_THAT(big_header.response, Catch::StartsWith("HTTP/1.1 431"));
    auto big_body =
        send_raw(server.port(),
                 "PUT " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n");
    CHECK_THAT(big_body.response, Catch::StartsWith("HTTP/1.1 413"));
    tried += 2;
  }
  CHECK(snapshot(db.url()) == before);
  CHECK(http_client(server.port()).get("/readyz").status == 200);
  CHECK(api_client(server.port(), me).get("/v1/keys/status").status == 200);
  WARN("bad-input probes tried: " << tried);
}
