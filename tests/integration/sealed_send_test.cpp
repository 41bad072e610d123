// Sealed sender, single-recipient sends (DESIGN.md, "Single-recipient unidentified send",
// "Unidentified access keys", "Delivery of sealed envelopes"): Unidentified-Access-Key
// instead of credentials, the error order that reveals nothing to a caller without the
// key, and envelopes that are stored and delivered with no sender at all.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <thread>

#include "api_client.hpp"
#include "database_probe.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "ws_client.hpp"

using namespace sealpost::testing;
namespace json = boost::json;

namespace {

const std::string kKey(16, '\x5a');  // the recipient's access key
const std::string kOtherKey(16, '\x5b');

std::string error_code(const http_result& r) {
  return std::string(r.json().at("error").as_string());
}

json::object sealed_body(const std::vector<std::pair<int, int>>& devices, std::uint32_t type = 6,
                         const std::string& content = "sealed") {
  json::array messages;
  for (const auto& [device, registration] : devices) {
    messages.push_back({{"device_id", device},
                        {"registration_id", registration},
                        {"type", type},
                        {"content", b64(content + "#" + std::to_string(device))}});
  }
  return {{"timestamp", 1700000000000}, {"messages", messages}};
}

// A send with `headers` and no other credentials.
http_result put_message(std::uint16_t port, const std::string& account, const json::value& body,
                        const std::map<std::string, std::string>& headers) {
  http_client http(port);
  return http.request(http::verb::put, "/v1/messages/" + account, json::serialize(body), headers);
}

std::map<std::string, std::string> with_key(const std::string& key) {
  return {{"Unidentified-Access-Key", b64(key)}};
}

// An account whose registration sets its unidentified access, with a linked second device.
struct recipient {
  test_identity id1, id2;
  device_login primary, second;

  recipient(std::uint16_t port, std::optional<std::string> key, bool unrestricted = false) {
    auto body = id1.registration(unique_username("rcpt"), random_password(), 2);
    if (key)
      body["unidentified_access_key"] = b64(*key);
    body["unrestricted_unidentified_access"] = unrestricted;
    http_client http(port);
    const auto res = http.request(http::verb::post, "/v1/accounts", json::serialize(body));
    REQUIRE(res.status == 201);
    primary = {std::string(res.json().at("account_id").as_string()), 1,
               std::string(body.at("password").as_string())};
    api_client p(port, primary);
    second = link_device(port, p, id2, 2);
  }
  std::vector<std::pair<int, int>> devices() const { return {{1, 1234}, {second.device_id, 1234}}; }
};

long long queued(database_probe& db) {
  return db.scalar("SELECT count(*) FROM messages");
}

}  // namespace

TEST_CASE("sealed send: delivered and stored with no sender, on the socket and over REST",
          "[sealed_sender][messages]") {
  test_database db;
  server_process server(db.url());
  recipient bob(server.port(), kKey);
  ws_client b1(server.port(), bob.primary);
  CHECK(drain_until_queue_empty(b1).empty());

  const auto sent = put_message(server.port(), bob.primary.account_id, sealed_body(bob.devices()),
                                with_key(kKey));
  REQUIRE(sent.status == 200);
  CHECK(sent.json().at("results").as_array().size() == 2);

  // Nothing in the database names a sender.
  database_probe probe(db.url());
  CHECK(
      probe.scalar("SELECT count(*) FROM messages WHERE account_id = " + q(bob.primary.account_id) +
                   " AND source_account IS NULL AND source_device IS NULL AND type = 6") == 2);

  auto frame = b1.next();
  REQUIRE(frame.has_value());
  REQUIRE(frame->has_delivery());
  const auto& e = frame->delivery();
  CHECK(e.type() == 6);
  CHECK(e.content() == "sealed#1");
  CHECK(e.source_account().empty());
  CHECK(e.source_device() == 0);
  CHECK(e.client_timestamp() == 1700000000000ULL);
  // Envelope is proto3: an empty source_account and a source_device of 0 are never
  // written, so fields 2 and 3 are absent from the frame, as DESIGN.md asks.

  api_client second(server.port(), bob.second);
  const auto polled = second.get("/v1/messages");
  REQUIRE(polled.status == 200);
  const auto polled_body = polled.json();
  const auto& queued_for_second = polled_body.at("messages").as_array();
  REQUIRE(queued_for_second.size() == 1);
  CHECK(queued_for_second[0].at("source_account").is_null());
  CHECK(queued_for_second[0].at("source_device").is_null());
  CHECK(queued_for_second[0].at("type").as_int64() == 6);
}

TEST_CASE("sealed send: the error order, and a refused key that tells nothing",
          "[sealed_sender][messages]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_RATE_LIMITS_AUTH_FAILURE_PER_IP_BURST", "2"},
                                   {"SEALPOST_MESSAGES_MAX_QUEUE_PER_DEVICE", "1"}});
  recipient bob(server.port(), kKey);
  recipient closed(server.port(), std::nullopt);  // restricted, no key: takes no sealed send
  database_probe probe(db.url());
  const auto& to = bob.primary.account_id;
  const auto body = sealed_body(bob.devices());

  SECTION("credentials and a key together: 400; neither: 401") {
    auto both = with_key(kKey);
    both["Authorization"] = basic_auth(bob.primary.account_id, 1, bob.primary.password);
    const auto r = put_message(server.port(), to, body, both);
    CHECK(r.status == 400);
    CHECK(error_code(r) == "invalid_request");
    CHECK(put_message(server.port(), to, body, {}).status == 401);
  }
  SECTION("a path that names no account: 404, before the body") {
    const auto r = put_message(server.port(), "not-a-uuid", "not json", with_key(kKey));
    CHECK(r.status == 404);
    CHECK(error_code(r) == "account_not_found");
  }
  SECTION("the body's checks, and type 6 only, before the key") {
    const auto bad_json = put_message(server.port(), to, json::string("[]"), with_key(kOtherKey));
    CHECK(bad_json.status == 400);
    const auto signal =
        put_message(server.port(), to, sealed_body(bob.devices(), 1), with_key(kOtherKey));
    CHECK(signal.status == 400);
    CHECK(error_code(signal) == "invalid_request");
  }
  SECTION("every refused key gets the same 401, and no failed-login token is taken") {
    const std::string unknown_account = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
    const std::vector<http_result> refusals = {
        put_message(server.port(), to, body, with_key(kOtherKey)),
        put_message(server.port(), to, body, {{"Unidentified-Access-Key", "not base64!"}}),
        put_message(server.port(), to, body,
                    {{"Unidentified-Access-Key", b64(std::string(15, 'k'))}}),
        put_message(server.port(), unknown_account, body, with_key(kKey)),
        put_message(server.port(), closed.primary.account_id, sealed_body(closed.devices()),
                    with_key(kKey)),
    };
    for (const auto& r : refusals) {
      CHECK(r.status == 401);
      CHECK(r.json() == refusals.front().json());
    }
    // auth_failure_per_ip (burst 2 here) is untouched: credentials still work from this IP.
    api_client identified(server.port(), bob.primary);
    CHECK(identified.get("/v1/keys/status").status == 200);
  }
  SECTION("only holders of the key see the device set: 409, 410, then 507") {
    const auto missing = put_message(server.port(), to, sealed_body({{1, 1234}}), with_key(kKey));
    CHECK(missing.status == 409);
    CHECK(error_code(missing) == "mismatched_devices");
    CHECK(missing.json().at("missing_devices").as_array().size() == 1);
    const auto stale = put_message(
        server.port(), to, sealed_body({{1, 99}, {bob.second.device_id, 1234}}), with_key(kKey));
    CHECK(stale.status == 410);
    CHECK(error_code(stale) == "stale_devices");
    REQUIRE(put_message(server.port(), to, body, with_key(kKey)).status == 200);
    const auto full = put_message(server.port(), to, body, with_key(kKey));
    CHECK(full.status == 507);
    CHECK(error_code(full) == "queue_full");
    CHECK(queued(probe) == 2);
    return;
  }
  CHECK(queued(probe) == 0);  // every refusal above stored nothing
}

TEST_CASE("sealed send: unrestricted accounts take any key, and the limit is per address",
          "[sealed_sender][messages]") {
  test_database db;
  server_process server(db.url(),
                        {{"SEALPOST_RATE_LIMITS_UNIDENTIFIED_MESSAGES_PER_IP_BURST", "2"},
                         {"SEALPOST_RATE_LIMITS_UNIDENTIFIED_MESSAGES_PER_IP_PER_MINUTE", "1"}});
  recipient open(server.port(), std::nullopt, /*unrestricted=*/true);
  const auto body = sealed_body(open.devices());
  CHECK(put_message(server.port(), open.primary.account_id, body, with_key(kOtherKey)).status ==
        200);
  // The header is still required, and must still be 16 bytes.
  CHECK(put_message(server.port(), open.primary.account_id, body, {}).status == 401);
  CHECK(put_message(server.port(), open.primary.account_id, body,
                    {{"Unidentified-Access-Key", b64(std::string(8, 'k'))}})
            .status == 401);
  // Two tokens taken, by the two sends with a header (the header-less one took none, the
  // 8-byte key one did: the limit comes before the key is read): the next is refused.
  const auto limited = put_message(server.port(), open.primary.account_id, body, with_key(kKey));
  CHECK(limited.status == 429);
  CHECK(limited.headers.count("retry-after") == 1);
  // Identified sends from the same address are not counted against it.
  test_identity alice_id;
  api_client alice(server.port(), register_account(server.port(), alice_id, unique_username("a")));
  auto identified = sealed_body(open.devices(), 1);
  CHECK(alice.call(http::verb::put, "/v1/messages/" + open.primary.account_id, identified).status ==
        200);
}

TEST_CASE("sealed send: sealed_sender.enabled = false refuses the key with 401",
          "[sealed_sender][messages]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_SEALED_SENDER_ENABLED", "false"}});
  recipient bob(server.port(), kKey);
  const auto r = put_message(server.port(), bob.primary.account_id, sealed_body(bob.devices()),
                             with_key(kKey));
  CHECK(r.status == 401);
}

TEST_CASE("unidentified access: set at registration, read by any device, changed by the primary",
          "[sealed_sender][accounts]") {
  test_database db;
  server_process server(db.url());
  recipient bob(server.port(), kKey);
  api_client primary(server.port(), bob.primary);
  api_client second(server.port(), bob.second);
  const auto& to = bob.primary.account_id;
  const auto body = sealed_body(bob.devices());

  const auto shown = second.get("/v1/accounts/me/unidentified-access");
  REQUIRE(shown.status == 200);
  CHECK(shown.json() == json::value{{"unidentified_access_key_set", true},
                                    {"unrestricted_unidentified_access", false}});

  const std::string path = "/v1/accounts/me/unidentified-access";
  const json::object new_key{{"unidentified_access_key", b64(kOtherKey)},
                             {"unrestricted_unidentified_access", false}};
  const auto from_second = second.call(http::verb::put, path, new_key);
  CHECK(from_second.status == 403);
  CHECK(error_code(from_second) == "primary_device_required");
  CHECK(put_message(server.port(), to, body, with_key(kKey)).status == 200);

  REQUIRE(primary.call(http::verb::put, path, new_key).status == 204);
  CHECK(put_message(server.port(), to, body, with_key(kKey)).status == 401);
  CHECK(put_message(server.port(), to, body, with_key(kOtherKey)).status == 200);

  // No key and restricted: nobody may send sealed.
  REQUIRE(
      primary
          .call(http::verb::put, path,
                {{"unidentified_access_key", nullptr}, {"unrestricted_unidentified_access", false}})
          .status == 204);
  CHECK(primary.get(path).json().at("unidentified_access_key_set") == false);
  CHECK(put_message(server.port(), to, body, with_key(kOtherKey)).status == 401);

  for (const json::value& bad :
       {json::value{{"unidentified_access_key", b64(std::string(15, 'k'))},
                    {"unrestricted_unidentified_access", false}},
        json::value{{"unidentified_access_key", b64(kKey)}},
        json::value{{"unrestricted_unidentified_access", true}, {"extra", 1}}}) {
    INFO(json::serialize(bad));
    const auto r = primary.call(http::verb::put, path, bad);
    CHECK(r.status == 400);
    CHECK(error_code(r) == "invalid_request");
  }
  // A key of another length is refused at registration too.
  test_identity carol;
  auto registration = carol.registration(unique_username("carol"), random_password(), 0);
  registration["unidentified_access_key"] = b64(std::string(17, 'k'));
  const auto refused =
      http_client(server.port())
          .request(http::verb::post, "/v1/accounts", json::serialize(registration));
  CHECK(refused.status == 400);
}
