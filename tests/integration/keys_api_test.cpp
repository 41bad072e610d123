// The prekey directory over HTTP: uploads, signature checks, counts, bundle claims and their
// limits, isolation between accounts, and libsignal (0x05 / XEdDSA / Kyber) identities.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "api_client.hpp"
#include "server_process.hpp"
#include "test_database.hpp"

using namespace sealpost::testing;
namespace json = boost::json;

namespace {

std::string error_code(const http_result& r) {
  return std::string(r.json().at("error").as_string());
}

json::object status_of(api_client& c) {
  auto r = c.get("/v1/keys/status");
  REQUIRE(r.status == 200);
  return r.json().as_object();
}

std::string hex_to_b64(std::string_view hex) {
  std::string raw;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    raw.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return b64(raw);
}

}  // namespace

TEST_CASE("key upload: append, idempotent retry, conflicts, caps, bad signatures", "[keys]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_KEYS_MAX_ONE_TIME_PREKEYS", "12"},
                                   {"SEALPOST_KEYS_MAX_PREKEYS_PER_UPLOAD", "10"}});
  test_identity id;
  auto me = register_account(server.port(), id, unique_username("kim"), 5);
  api_client c(server.port(), me);

  auto status = status_of(c);
  CHECK(status.at("one_time_prekeys").as_int64() == 5);
  CHECK(status.at("pq_one_time_prekeys").as_int64() == 5);
  CHECK(status.at("signed_prekey_id").as_int64() == 1);
  CHECK(status.at("pq_last_resort_prekey_id").as_int64() == 1000);

  auto batch = id.one_time_prekeys(100, 5);
  CHECK(c.call(http::verb::put, "/v1/keys", {{"one_time_prekeys", batch}}).status == 204);
  CHECK(status_of(c).at("one_time_prekeys").as_int64() == 10);
  // The same keys again (a retried request) change nothing.
  CHECK(c.call(http::verb::put, "/v1/keys", {{"one_time_prekeys", batch}}).status == 204);
  CHECK(status_of(c).at("one_time_prekeys").as_int64() == 10);
  // A stored key_id with other bytes is a conflict, and nothing of that upload lands.
  json::array clash = id.one_time_prekeys(200, 1);
  clash.push_back(id.one_time_prekeys(100, 1)[0]);
  auto conflict = c.call(http::verb::put, "/v1/keys", {{"one_time_prekeys", clash}});
  CHECK(conflict.status == 409);
  CHECK(error_code(conflict) == "key_id_conflict");
  CHECK(status_of(c).at("one_time_prekeys").as_int64() == 10);

  auto per_upload =
      c.call(http::verb::put, "/v1/keys", {{"one_time_prekeys", id.one_time_prekeys(300, 11)}});
  CHECK(per_upload.status == 413);
  auto pool =
      c.call(http::verb::put, "/v1/keys", {{"one_time_prekeys", id.one_time_prekeys(400, 3)}});
  CHECK(pool.status == 413);
  CHECK(error_code(pool) == "too_many_keys");
  CHECK(status_of(c).at("one_time_prekeys").as_int64() == 10);

  // A signed prekey with a bad signature is rejected and the stored one stays.
  auto forged = test_identity().signed_prekey(7);
  auto bad = c.call(http::verb::put, "/v1/keys", {{"signed_prekey", forged}});
  CHECK(bad.status == 422);
  CHECK(error_code(bad) == "invalid_signature");
  CHECK(status_of(c).at("signed_prekey_id").as_int64() == 1);
  auto good = id.signed_prekey(8);
  CHECK(c.call(http::verb::put, "/v1/keys", {{"signed_prekey", good}}).status == 204);
  CHECK(status_of(c).at("signed_prekey_id").as_int64() == 8);

  // Wrong key type for a DH prekey (an Ed25519 key) and junk fields.
  const test_identity ed25519(sealpost::client::crypto::identity_form::ed25519);
  json::object ed_key{{"key_id", 9}, {"public_key", b64(ed25519.identity_key())}};
  CHECK(c.call(http::verb::put, "/v1/keys", {{"one_time_prekeys", json::array{ed_key}}}).status ==
        422);
  CHECK(c.call(http::verb::put, "/v1/keys", {{"one_time_prekeys", json::array{{{"key_id", -1}}}}})
            .status == 400);
  CHECK(c.call(http::verb::put, "/v1/keys", {{"one_time_prekeys", 5}}).status == 400);
  CHECK(c.call(http::verb::put, "/v1/keys", {{"other", 5}}).status == 400);
}

TEST_CASE("bundles hand out each one-time key once, then the last-resort key", "[keys][bundles]") {
  test_database db;
  server_process server(db.url());
  test_identity bob_id, alice_id;
  auto bob = register_account(server.port(), bob_id, unique_username("bob"), 2);
  auto alice = register_account(server.port(), alice_id, unique_username("alice"), 2);
  api_client a(server.port(), alice);
  api_client b(server.port(), bob);

  std::set<std::int64_t> ec_ids, pq_ids;
  for (int i = 0; i < 2; ++i) {
    auto r = a.get("/v1/keys/" + bob.account_id + "/1");
    REQUIRE(r.status == 200);
    CHECK(r.json().at("account_id").as_string() == bob.account_id);
    auto dev = r.json().at("devices").as_array().at(0).as_object();
    CHECK(dev.at("device_id").as_int64() == 1);
    CHECK(dev.at("identity_key").as_string() == b64(bob_id.identity_key()));
    CHECK(dev.at("signed_prekey").at("key_id").as_int64() == 1);
    ec_ids.insert(dev.at("one_time_prekey").at("key_id").as_int64());
    CHECK_FALSE(dev.at("pq_prekey").at("last_resort").as_bool());
    pq_ids.insert(dev.at("pq_prekey").at("key_id").as_int64());
  }
  CHECK(ec_ids == std::set<std::int64_t>{1, 2});
  // Re-sending an upload of keys already handed out (a retried request) must not put them
  // back: each one-time key is handed out at most once, ever.
  CHECK(b.call(http::verb::put, "/v1/keys",
               {{"one_time_prekeys",
                 json::array{{{"key_id", 1},
                              {"public_key", b64(std::string("\x05") + std::string(32, 'k'))}}}}})
            .status == 204);
  CHECK(pq_ids == std::set<std::int64_t>{1, 2});
  CHECK(status_of(b).at("one_time_prekeys").as_int64() == 0);

  auto empty = a.get("/v1/keys/" + bob.account_id + "/*");
  REQUIRE(empty.status == 200);
  auto dev = empty.json().at("devices").as_array().at(0).as_object();
  CHECK(dev.at("one_time_prekey").is_null());
  CHECK(dev.at("pq_prekey").at("last_resort").as_bool());
  CHECK(dev.at("pq_prekey").at("key_id").as_int64() == 1000);

  CHECK(a.get("/v1/keys/" + bob.account_id + "/2").status == 404);
  CHECK(a.get("/v1/keys/00000000-0000-4000-8000-000000000000/*").status == 404);
  CHECK(a.get("/v1/keys/" + bob.account_id + "/0").status == 404);
  CHECK(a.get("/v1/keys/" + bob.account_id + "/abc").status == 404);
  CHECK(http_client(server.port()).get("/v1/keys/" + bob.account_id + "/1").status == 401);
}

TEST_CASE("bundle fetches are rate-limited per requester and target", "[keys][limits]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_BURST", "2"},
                                   {"SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_PER_MINUTE", "1"},
                                   {"SEALPOST_RATE_LIMITS_BUNDLE_PER_REQUESTER_BURST", "3"},
                                   {"SEALPOST_RATE_LIMITS_BUNDLE_PER_REQUESTER_PER_MINUTE", "1"}});
  test_identity a_id, b_id, c_id;
  auto a = register_account(server.port(), a_id, unique_username("amy"));
  auto b = register_account(server.port(), b_id, unique_username("ben"));
  auto c = register_account(server.port(), c_id, unique_username("cat"));
  api_client client(server.port(), a);
  CHECK(client.get("/v1/keys/" + b.account_id + "/1").status == 200);
  CHECK(client.get("/v1/keys/" + b.account_id + "/1").status == 200);
  auto pair_limited = client.get("/v1/keys/" + b.account_id + "/1");
  CHECK(pair_limited.status == 429);
  CHECK(pair_limited.headers.count("retry-after") == 1);
  CHECK(client.get("/v1/keys/" + c.account_id + "/1").status == 200);  // another target is fine
  CHECK(client.get("/v1/keys/" + c.account_id + "/1").status == 429);  // requester budget used up
  // The limited fetch claimed nothing: B still has 5 - 2 keys.
  api_client bob(server.port(), b);
  CHECK(status_of(bob).at("one_time_prekeys").as_int64() == 3);
}

TEST_CASE("a device of one account cannot touch another account's keys or devices",
          "[keys][authz]") {
  test_database db;
  server_process server(db.url());
  test_identity a_id, b_id;
  auto a = register_account(server.port(), a_id, unique_username("ann"));
  auto b = register_account(server.port(), b_id, unique_username("bea"));
  api_client mallory(server.port(), b);
  api_client owner(server.port(), a);
  // Every write acts on the caller's own account: B's upload signed by A's key fails, and
  // A's pools stay as they were.
  CHECK(mallory.call(http::verb::put, "/v1/keys", {{"signed_prekey", a_id.signed_prekey(5)}})
            .status == 422);
  CHECK(mallory.call(http::verb::delete_, "/v1/devices/1").status == 403);
  CHECK(mallory.call(http::verb::delete_, "/v1/devices/2").status == 404);
  api_client impostor(server.port(), {a.account_id, 1, b.password});
  CHECK(impostor.get("/v1/keys/status").status == 401);
  CHECK(impostor.call(http::verb::delete_, "/v1/accounts/me").status == 401);
  auto status = status_of(owner);
  CHECK(status.at("signed_prekey_id").as_int64() == 1);
  CHECK(status.at("one_time_prekeys").as_int64() == 5);
  CHECK(owner.get("/v1/accounts/" + a.account_id + "/devices")
            .json()
            .at("devices")
            .as_array()
            .size() == 1);
}

TEST_CASE("a libsignal identity (0x05, XEdDSA, Kyber) registers, uploads and is fetched",
          "[keys][libsignal]") {
  std::ifstream in(SEALPOST_TEST_VECTORS_DIR "/xeddsa.json");
  std::stringstream ss;
  ss << in.rdbuf();
  auto vectors = json::parse(ss.str()).as_array();
  // Vectors 1 and 2 share one libsignal identity: its signed prekey and its Kyber prekey.
  auto spk = vectors.at(1).as_object();
  auto kyber = vectors.at(2).as_object();
  REQUIRE(spk.at("public_key") == kyber.at("public_key"));
  auto hex = [](const json::value& v) { return std::string_view(v.as_string()); };

  test_database db;
  server_process server(db.url());
  test_identity ec_source;
  const auto password = random_password();
  json::object body{{"username", unique_username("signal")},
                    {"password", password},
                    {"registration_id", 4242},
                    {"identity_key", hex_to_b64(hex(spk.at("public_key")))},
                    {"signed_prekey",
                     {{"key_id", 11},
                      {"public_key", hex_to_b64(hex(spk.at("message")))},
                      {"signature", hex_to_b64(hex(spk.at("signature")))}}},
                    {"pq_last_resort_prekey",
                     {{"key_id", 12},
                      {"public_key", hex_to_b64(hex(kyber.at("message")))},
                      {"signature", hex_to_b64(hex(kyber.at("signature")))}}},
                    {"one_time_prekeys", ec_source.one_time_prekeys(1, 1)}};
  auto res =
      http_client(server.port()).request(http::verb::post, "/v1/accounts", json::serialize(body));
  REQUIRE(res.status == 201);
  device_login signal{std::string(res.json().at("account_id").as_string()), 1, password};
  api_client self(server.port(), signal);
  // Uploading the Kyber key again as a one-time PQ key verifies with XEdDSA too.
  json::object pq = body["pq_last_resort_prekey"].as_object();
  pq["key_id"] = 13;
  CHECK(self.call(http::verb::put, "/v1/keys", {{"pq_one_time_prekeys", json::array{pq}}}).status ==
        204);
  // Flipping the Edwards sign bit (top bit of the last signature byte) must fail.
  std::string sig_hex(hex(spk.at("signature")));
  sig_hex[126] = sig_hex[126] >= '8' ? static_cast<char>(sig_hex[126] - 8)
                                     : static_cast<char>(sig_hex[126] + 8);
  json::object flipped = body["signed_prekey"].as_object();
  flipped["signature"] = hex_to_b64(sig_hex);
  CHECK(self.call(http::verb::put, "/v1/keys", {{"signed_prekey", flipped}}).status == 422);

  test_identity fetcher_id;
  api_client fetcher(server.port(),
                     register_account(server.port(), fetcher_id, unique_username("ed")));
  auto bundle = fetcher.get("/v1/keys/" + signal.account_id + "/1");
  REQUIRE(bundle.status == 200);
  auto dev = bundle.json().at("devices").as_array().at(0).as_object();
  CHECK(dev.at("identity_key").as_string() == hex_to_b64(hex(spk.at("public_key"))));
  CHECK(dev.at("registration_id").as_int64() == 4242);
  CHECK(dev.at("signed_prekey").at("signature").as_string() ==
        hex_to_b64(hex(spk.at("signature"))));
  CHECK(dev.at("pq_prekey").at("key_id").as_int64() == 13);
  CHECK(dev.at("pq_prekey").at("public_key").as_string() == hex_to_b64(hex(kyber.at("message"))));
  CHECK_FALSE(dev.at("pq_prekey").at("last_resort").as_bool());
}
