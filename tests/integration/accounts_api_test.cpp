// Accounts and devices over HTTP against a real server and Postgres: registration (open and
// invite), lookup, linking, removal, deletion, backups, and the abuse limits on them.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "api_client.hpp"
#include "model/ids.hpp"
#include "server_process.hpp"
#include "test_database.hpp"

using namespace sealpost::testing;
namespace json = boost::json;

namespace {

http_result post_json(std::uint16_t port, const std::string& target, const json::value& body) {
  return http_client(port).request(http::verb::post, target, json::serialize(body));
}

std::string error_code(const http_result& r) {
  return std::string(r.json().at("error").as_string());
}

}  // namespace

TEST_CASE("registration, lookup and device list", "[accounts]") {
  test_database db;
  server_process server(db.url());
  test_identity alice_id;
  const auto name = unique_username("alice");
  auto alice = register_account(server.port(), alice_id, name);
  CHECK(alice.device_id == 1);
  api_client a(server.port(), alice);

  auto found = a.get("/v1/accounts/by-username/" + name);
  REQUIRE(found.status == 200);
  CHECK(found.json().at("account_id").as_string() == alice.account_id);
  CHECK(a.get("/v1/accounts/by-username/nobody_here").status == 404);

  auto devices = a.get("/v1/accounts/" + alice.account_id + "/devices");
  REQUIRE(devices.status == 200);
  auto list = devices.json().at("devices").as_array();
  REQUIRE(list.size() == 1);
  CHECK(list[0].at("device_id").as_int64() == 1);
  CHECK(list[0].at("registration_id").as_int64() == 1234);
  CHECK(list[0].at("identity_key").as_string() == b64(alice_id.identity_key()));
  CHECK(a.get("/v1/accounts/00000000-0000-4000-8000-000000000000/devices").status == 404);
  CHECK(a.get("/v1/accounts/not-a-uuid/devices").status == 404);

  SECTION("the same username again is 409 username_taken") {
    auto again = post_json(server.port(), "/v1/accounts",
                           test_identity().registration(name, random_password()));
    CHECK(again.status == 409);
    CHECK(error_code(again) == "username_taken");
  }
  SECTION("authentication is required and checked") {
    http_client anon(server.port());
    auto no_auth = anon.get("/v1/accounts/by-username/" + name);
    CHECK(no_auth.status == 401);
    CHECK(error_code(no_auth) == "unauthorized");
    CHECK(no_auth.headers["www-authenticate"] == R"(Basic realm="sealpost", charset="UTF-8")");
    api_client wrong(server.port(), {alice.account_id, 1, "wrong-password-wrong-password"});
    CHECK(wrong.get("/v1/accounts/by-username/" + name).status == 401);
    api_client other_device(server.port(), {alice.account_id, 2, alice.password});
    CHECK(other_device.get("/v1/accounts/by-username/" + name).status == 401);
    auto garbage =
        anon.request(http::verb::get, "/v1/keys/status", "", {{"Authorization", "Basic !!!"}});
    CHECK(garbage.status == 401);
    CHECK(garbage.headers.contains("www-authenticate"));
  }
}

TEST_CASE("registration rejects bad input with a clear error and stores nothing", "[accounts]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST", "100"}});
  test_identity id;
  auto body = id.registration(unique_username("bob"), random_password());

  auto with = [&](auto change) {
    json::object b = body;
    change(b);
    return post_json(server.port(), "/v1/accounts", b);
  };
  CHECK(with([](json::object& b) { b["username"] = "No Caps"; }).status == 400);
  CHECK(with([](json::object& b) { b["username"] = "ab"; }).status == 400);
  CHECK(with([](json::object& b) { b["password"] = "short"; }).status == 400);
  CHECK(with([](json::object& b) { b["registration_id"] = 0; }).status == 400);
  CHECK(with([](json::object& b) { b["registration_id"] = 16381; }).status == 400);
  CHECK(with([](json::object& b) { b.erase("signed_prekey"); }).status == 400);
  CHECK(with([](json::object& b) { b["surprise"] = 1; }).status == 400);
  CHECK(with([](json::object& b) { b["identity_key"] = "not base64!"; }).status == 400);
  auto bad_type = with([](json::object& b) { b["identity_key"] = b64(std::string(33, '\x07')); });
  CHECK(bad_type.status == 422);
  CHECK(error_code(bad_type) == "invalid_key");
  auto bad_sig = with([&](json::object& b) {
    b["signed_prekey"] = test_identity().signed_prekey(1);  // signed by someone else
  });
  CHECK(bad_sig.status == 422);
  CHECK(error_code(bad_sig) == "invalid_signature");
  auto too_many =
      with([&](json::object& b) { b["one_time_prekeys"] = id.one_time_prekeys(1, 101); });
  CHECK(too_many.status == 413);
  CHECK(http_client(server.port()).request(http::verb::post, "/v1/accounts", "{not json").status ==
        400);

  // None of those created the account: the name is still free.
  CHECK(post_json(server.port(), "/v1/accounts", body).status == 201);
}

TEST_CASE("invite-only registration", "[accounts][invite]") {
  test_database db;
  std::map<std::string, std::string> env{{"SEALPOST_REGISTRATION_MODE", "invite"},
                                         {"SEALPOST_DATABASE_URL", db.url()}};
  server_process server(db.url(), env);
  test_identity id;
  auto body = id.registration(unique_username("carol"), random_password());
  auto no_invite = post_json(server.port(), "/v1/accounts", body);
  CHECK(no_invite.status == 403);
  CHECK(error_code(no_invite) == "invite_required");
  body["invite"] = "made-up";
  auto bad_invite = post_json(server.port(), "/v1/accounts", body);
  CHECK(bad_invite.status == 403);
  CHECK(error_code(bad_invite) == "invalid_invite");

  auto minted = run_server_command({"admin", "invite", "create"}, env);
  REQUIRE(minted.exit_code == 0);
  const auto token = minted.output.substr(0, minted.output.find('\n'));
  body["invite"] = token;
  CHECK(post_json(server.port(), "/v1/accounts", body).status == 201);
  // Single use.
  auto second = test_identity().registration(unique_username("dave"), random_password());
  second["invite"] = token;
  CHECK(post_json(server.port(), "/v1/accounts", second).status == 403);

  auto listed = run_server_command({"admin", "invite", "list"}, env);
  CHECK(listed.exit_code == 0);
  CHECK(listed.output.find(token) == std::string::npos);  // tokens are never shown again
  CHECK(std::count(listed.output.begin(), listed.output.end(), '\n') == 2);  // header + one invite
}

TEST_CASE("linking, removing devices and deleting the account", "[accounts][devices]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_ACCOUNTS_MAX_DEVICES", "3"}});
  test_identity primary_id;
  auto primary = register_account(server.port(), primary_id, unique_username("erin"));
  api_client p(server.port(), primary);

  auto link_new_device = [&](const std::string& token, const std::string& password) {
    test_identity device_id;
    json::object body = device_id.registration("ignored", password);
    body.erase("username");
    body["link_token"] = token;
    return post_json(server.port(), "/v1/devices", body);
  };

  auto token = p.call(http::verb::post, "/v1/devices/link-tokens");
  REQUIRE(token.status == 201);
  const std::string t(token.json().at("token").as_string());
  CHECK(token.json().at("expires_at").as_int64() > 0);
  const auto second_password = random_password();
  auto linked = link_new_device(t, second_password);
  REQUIRE(linked.status == 201);
  CHECK(linked.json().at("account_id").as_string() == primary.account_id);
  CHECK(linked.json().at("device_id").as_int64() == 2);
  api_client second(server.port(), {primary.account_id, 2, second_password});
  CHECK(second.get("/v1/keys/status").status == 200);

  auto reused = link_new_device(t, random_password());
  CHECK(reused.status == 403);
  CHECK(error_code(reused) == "invalid_link_token");

  // Only the primary mints link tokens.
  CHECK(second.call(http::verb::post, "/v1/devices/link-tokens").status == 403);

  auto t3 = std::string(
      p.call(http::verb::post, "/v1/devices/link-tokens").json().at("token").as_string());
  REQUIRE(link_new_device(t3, random_password()).status == 201);  // device 3: the limit
  auto t4 = std::string(
      p.call(http::verb::post, "/v1/devices/link-tokens").json().at("token").as_string());
  auto over = link_new_device(t4, random_password());
  CHECK(over.status == 409);
  CHECK(error_code(over) == "device_limit");

  // A secondary may not remove another device, but may remove itself.
  CHECK(second.call(http::verb::delete_, "/v1/devices/3").status == 403);
  CHECK(p.call(http::verb::delete_, "/v1/devices/9").status == 404);
  CHECK(p.call(http::verb::delete_, "/v1/devices/1").status == 403);
  CHECK(second.call(http::verb::delete_, "/v1/devices/2").status == 204);
  CHECK(second.get("/v1/keys/status").status == 401);
  CHECK(p.call(http::verb::delete_, "/v1/devices/3").status == 204);
  CHECK(p.get("/v1/accounts/" + primary.account_id + "/devices")
            .json()
            .at("devices")
            .as_array()
            .size() == 1);

  // A new device takes the lowest free id from 2, so ids stay within 1..127 (libsignal's
  // DeviceId): 2 and 3 again. t4, refused above with device_limit, is still valid.
  auto relinked = link_new_device(t4, random_password());
  REQUIRE(relinked.status == 201);
  CHECK(relinked.json().at("device_id").as_int64() == 2);
  auto t5 = std::string(
      p.call(http::verb::post, "/v1/devices/link-tokens").json().at("token").as_string());
  auto refilled = link_new_device(t5, random_password());
  REQUIRE(refilled.status == 201);
  CHECK(refilled.json().at("device_id").as_int64() == 3);

  SECTION("only the primary deletes the account; then everything is gone") {
    CHECK(p.call(http::verb::put, "/v1/backup").status == 204);
    CHECK(p.call(http::verb::delete_, "/v1/accounts/me").status == 204);
    CHECK(p.get("/v1/keys/status").status == 401);
    test_identity observer_id;
    api_client observer(server.port(),
                        register_account(server.port(), observer_id, unique_username("obs")));
    CHECK(observer.get("/v1/accounts/" + primary.account_id + "/devices").status == 404);
    CHECK(observer.get("/v1/keys/" + primary.account_id + "/*").status == 404);
  }
}

TEST_CASE("backups belong to one account and are bounded", "[accounts][backup]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_BACKUP_MAX_BYTES", "4096"}});
  test_identity a_id, b_id;
  auto a = register_account(server.port(), a_id, unique_username("fay"));
  auto b = register_account(server.port(), b_id, unique_username("gus"));
  http_client http(server.port());
  auto auth_a =
      std::map<std::string, std::string>{{"Authorization", basic_auth(a.account_id, 1, a.password)},
                                         {"Content-Type", "application/octet-stream"}};
  auto auth_b = std::map<std::string, std::string>{
      {"Authorization", basic_auth(b.account_id, 1, b.password)}};

  CHECK(http.request(http::verb::get, "/v1/backup", "", auth_a).status == 404);
  const std::string blob("\x00\x01secret-ciphertext\xff", 21);
  CHECK(http.request(http::verb::put, "/v1/backup", blob, auth_a).status == 204);
  auto got = http.request(http::verb::get, "/v1/backup", "", auth_a);
  CHECK(got.status == 200);
  CHECK(got.body == blob);
  CHECK(got.headers.at("content-type") == "application/octet-stream");
  CHECK(http.request(http::verb::get, "/v1/backup", "", auth_b).status == 404);  // B sees only B's
  CHECK(http.request(http::verb::delete_, "/v1/backup", "", auth_b).status == 204);
  CHECK(http.request(http::verb::get, "/v1/backup", "", auth_a).body == blob);  // A's untouched

  auto big = http.request(http::verb::put, "/v1/backup", std::string(5000, 'x'), auth_a);
  CHECK(big.status == 413);
  CHECK(http_client(server.port()).request(http::verb::get, "/v1/backup", "", auth_a).body == blob);
  CHECK(http_client(server.port()).request(http::verb::delete_, "/v1/backup", "", auth_a).status ==
        204);
  CHECK(http_client(server.port()).request(http::verb::get, "/v1/backup", "", auth_a).status ==
        404);
  CHECK(http_client(server.port()).request(http::verb::get, "/v1/backup").status == 401);
}

TEST_CASE("registrations and failed logins are rate-limited per IP with Retry-After",
          "[accounts][limits]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST", "2"},
                                   {"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_PER_MINUTE", "1"},
                                   {"SEALPOST_RATE_LIMITS_AUTH_FAILURE_PER_IP_BURST", "3"},
                                   {"SEALPOST_RATE_LIMITS_AUTH_FAILURE_PER_IP_PER_MINUTE", "1"}});
  test_identity id;
  auto alice = register_account(server.port(), id, unique_username("hal"));
  register_account(server.port(), test_identity(), unique_username("ivy"));
  auto third = post_json(server.port(), "/v1/accounts",
                         test_identity().registration(unique_username("jo"), random_password()));
  CHECK(third.status == 429);
  CHECK(std::stoi(third.headers.at("retry-after")) >= 1);

  api_client right(server.port(), alice);
  api_client wrong(server.port(), {alice.account_id, 1, "not-the-password-at-all"});
  CHECK(right.get("/v1/keys/status").status == 200);
  for (int i = 0; i < 3; ++i)
    CHECK(wrong.get("/v1/keys/status").status == 401);
  auto limited = right.get("/v1/keys/status");  // even the right password waits now
  CHECK(limited.status == 429);
  CHECK(limited.headers.count("retry-after") == 1);
}

TEST_CASE("username lookups are rate-limited per device, found or not", "[accounts][limits]") {
  test_database db;
  server_process server(db.url(),
                        {{"SEALPOST_RATE_LIMITS_USERNAME_LOOKUP_PER_DEVICE_BURST", "3"},
                         {"SEALPOST_RATE_LIMITS_USERNAME_LOOKUP_PER_DEVICE_PER_MINUTE", "1"}});
  test_identity alice_id, bob_id;
  const auto bob_name = unique_username("bob");
  auto alice = register_account(server.port(), alice_id, unique_username("al"));
  auto bob = register_account(server.port(), bob_id, bob_name);
  api_client prober(server.port(), alice);
  CHECK(prober.get("/v1/accounts/by-username/" + bob_name).status == 200);
  CHECK(prober.get("/v1/accounts/by-username/" + unique_username("nobody")).status == 404);
  CHECK(prober.get("/v1/accounts/by-username/" + unique_username("nobody")).status == 404);
  auto limited = prober.get("/v1/accounts/by-username/" + bob_name);
  CHECK(limited.status == 429);
  CHECK(error_code(limited) == "rate_limited");
  CHECK(limited.headers.count("retry-after") == 1);
  // The budget is the device's own: another device still looks up freely.
  api_client other(server.port(), bob);
  CHECK(other.get("/v1/accounts/by-username/" + bob_name).status == 200);
}

TEST_CASE("a backup larger than the generic body limit fits under backup.max_bytes",
          "[accounts][backup]") {
  test_database db;
  server_process server(db.url());
  test_identity id;
  auto a = register_account(server.port(), id, unique_username("big"));
  const std::map<std::string, std::string> auth{
      {"Authorization", basic_auth(a.account_id, 1, a.password)},
      {"Content-Type", "application/octet-stream"}};
  const std::string blob(3 * 1024 * 1024, 'b');  // over http.max_body_bytes (1 MiB)
  CHECK(http_client(server.port()).request(http::verb::put, "/v1/backup", blob, auth).status ==
        204);
  CHECK(http_client(server.port()).request(http::verb::get, "/v1/backup", "", auth).body == blob);
}

namespace {

http_result link_with(std::uint16_t port, const test_identity& identity, const std::string& token) {
  boost::json::object body = identity.registration("unused", random_password(), 1);
  body.erase("username");
  body["link_token"] = token;
  return http_client(port).request(http::verb::post, "/v1/devices", boost::json::serialize(body));
}

}  // namespace

TEST_CASE("link tokens name their account, and a token that names none is refused",
          "[accounts][devices]") {
  test_database db;
  server_process server(db.url());
  test_identity alice_id, bob_id, phone_id;
  const auto alice = register_account(server.port(), alice_id, unique_username("alice"), 1);
  const auto bob = register_account(server.port(), bob_id, unique_username("bob"), 1);
  api_client a(server.port(), alice);

  const auto minted = a.call(http::verb::post, "/v1/devices/link-tokens");
  REQUIRE(minted.status == 201);
  const std::string token(minted.json().at("token").as_string());
  REQUIRE(token.size() == 80);
  CHECK(token.substr(0, 37) == alice.account_id + ".");
  // The secret is bound to the account it names: moved to another account it is refused.
  CHECK(link_with(server.port(), phone_id, bob.account_id + "." + token.substr(37)).status == 403);

  // A token without an account id, as nodes of schema 4 minted them, is refused even when
  // its hash is stored: since schema 12 a token is looked up by account and hash only.
  const std::string unnamed = "rgbBRB501GggqTxf0HIDwhyudR-RvcOeKWScV9zUvGY";
  {
    pqxx::connection conn(db.url());
    pqxx::work tx(conn);
    tx.exec_params(
        "INSERT INTO link_tokens (token_hash, account_id, expires_at) "
        "VALUES ($1, $2, now() + interval '1 minute')",
        pqxx::binarystring(sealpost::model::token_hash(unnamed)), alice.account_id);
    tx.commit();
  }
  test_identity tablet_id;
  const auto refused = link_with(server.port(), tablet_id, unnamed);
  CHECK(refused.status == 403);
  CHECK(refused.json().at("error").as_string() == "invalid_link_token");

  CHECK(link_with(server.port(), phone_id, token).status == 201);
  CHECK(link_with(server.port(), phone_id, token).status == 403);  // single use
}
