// The authorization matrix (issue 8): every endpoint of docs/api.md, and the WebSocket
// upgrade, called by each kind of caller, against a real server and Postgres. The table
// below IS the expected matrix; read it as documentation (docs/api.md, "Who may call what",
// is the same table in prose form).
//
// The fixture ("world"; one shared by the rows that change nothing, one per row for the
// others, and a fresh one for each cell of a destructive row that is expected to succeed):
//   account A: A.1 primary, A.2 linked secondary, A.3 linked then removed by A.1, A.4 another
//              linked secondary; one envelope queued for each of A.1, A.2, A.4 (sent by B.1);
//              a backup.
//   account B: B.1 primary only; one envelope queued for it (sent by A.1); a backup of its own.
// Every device has a different number of one-time prekeys, so a device answered with
// another device's data shows.
//
// Caller kinds, as columns:
//   unauth     no Authorization header (for the WebSocket: no header and no query login)
//   wrong_pw   A.1's login with a wrong password
//   other      B.1: a real device, of another account
//   removed    A.3's login and its once-valid password, after A.1 removed it
//   secondary  A.2
//   primary    A.1
//
// Each cell makes one request (the "measured" request) and asserts:
//   - the status, and the error code where the table names one (every 401: "unauthorized");
//   - a refusal (any 4xx) changed nothing: every table of the database is identical before
//     and after (device_presence, which only mirrors open sockets, aside);
//   - an allowed call changed nothing outside its row's `may change` scope (e.g. a key upload
//     touches only the caller's own device, a backup write only the caller's own account);
//   - an allowed call had its effect, on the right account or device (the row's function).
// Paths that name "me" or nothing (keys, backup, queue) act on the caller's own account, so
// for B.1 they succeed on B and must leave A untouched: the matrix shows that as the 2xx.
#include <array>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "api_client.hpp"
#include "authorization_world.hpp"
#include "database_probe.hpp"
#include "net/websocket_frames.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "ws_client.hpp"

using namespace sealpost::testing;
namespace json = boost::json;

namespace {

// ---------------------------------------------------------------------------------------
// Expectations: a status, and for refusals with a specific code, that code.

struct expect {
  unsigned status;
  const char* error = nullptr;
};

constexpr expect s101{101};  // WebSocket upgrade accepted
constexpr expect s200{200};
constexpr expect s201{201};
constexpr expect s204{204};
constexpr expect no_auth{401, "unauthorized"};
constexpr expect forbidden{403, "forbidden"};  // secondary removing another device
constexpr expect primary_required{403, "primary_device_required"};  // only device 1 may do this
constexpr expect primary_device{403, "primary_device"};             // device 1 cannot be removed
constexpr expect bad_token{403, "invalid_link_token"};
constexpr expect no_device{404, "device_not_found"};
constexpr expect no_message{404, "message_not_found"};
// A route that takes an Unidentified-Access-Key and never credentials.
constexpr expect credentials_refused{400, "invalid_request"};

enum caller : std::size_t { unauth, wrong_pw, other, removed, secondary, primary };
constexpr std::size_t kCallers = 6;
constexpr const char* kCallerNames[kCallers] = {"unauthenticated",           "wrong password",
                                                "device of another account", "removed device",
                                                "secondary device",          "primary device"};

// What an allowed call may change in the database (a refused one may change nothing).
enum class may_change {
  nothing,          // reads
  caller_device,    // rows of the calling device only
  caller_account,   // rows of the calling device's account only
  account_a,        // rows of the target account A only
  new_account_only  // neither A nor B
};

// Which fixture a cell runs in.
enum class fixture {
  shared,           // one fixture for all these rows: their calls change no stored data
                    // (or only create new accounts)
  per_row,          // one fixture for the row; its checks are relative to the state before
  fresh_if_allowed  // destructive rows: a fresh fixture for each cell expected to succeed;
                    // the refusals share the row's (each asserts that it changed nothing)
};

// ---------------------------------------------------------------------------------------
// One cell: one caller kind against one endpoint, in one world.

struct row;

struct cell {
  const row& r;
  caller who;
  expect want;
  world& w;
  const server_process& server;
  database_probe& db;
  int measured = 0;     // how many measured requests the row function made (must be 1)
  unsigned status = 0;  // what the server answered

  bool allowed() const { return want.status < 400; }
  // Allowed, and the server agreed: the row function then checks the call's effect.
  bool succeeded() const { return allowed() && status == want.status; }

  // The login the caller presents (nullopt: none).
  std::optional<device_login> login() const {
    switch (who) {
      case unauth:
        return std::nullopt;
      case wrong_pw:
        return device_login{w.A(), 1, w.wrong_password};
      case other:
        return w.b1;
      case removed:
        return w.a[3];
      case secondary:
        return w.a[2];
      case primary:
        return w.a[1];
    }
    return std::nullopt;
  }
  // The identity of the device the caller claims to be (signs its key uploads).
  const test_identity& identity() const {
    switch (who) {
      case other:
        return w.b1_id;
      case removed:
        return w.a_ids[3];
      case secondary:
        return w.a_ids[2];
      default:
        return w.a_ids[1];
    }
  }
  // The account and device an allowed caller acts as.
  const device_login& me() const {
    return who == other ? w.b1 : who == secondary ? w.a[2] : w.a[1];
  }
  std::map<std::string, std::string> auth_header() const {
    auto l = login();
    if (!l)
      return {};
    return {{"Authorization", basic_auth(l->account_id, l->device_id, l->password)}};
  }

  // The measured request: snapshots around it, checks the status and the error code.
  http_result measure(const std::function<http_result()>& request, bool has_body = true);
  http_result send(http::verb method, const std::string& target, const std::string& body = "",
                   std::map<std::string, std::string> headers = {}) {
    for (auto& h : auth_header())
      headers.insert(h);
    return measure(
        [&] { return http_client(server.port()).request(method, target, body, headers); });
  }
  http_result send_json(http::verb method, const std::string& target, const json::value& body) {
    return send(method, target, json::serialize(body));
  }
};

struct row {
  const char* endpoint;  // "METHOD /documented/path [which target]"
  may_change scope;
  fixture fresh;
  std::array<expect, kCallers> expected;
  void (*run)(cell&);
};

snapshot_filter filter_for(const cell& c) {
  if (!c.allowed())
    return {};
  switch (c.r.scope) {
    case may_change::nothing:
      return {};
    case may_change::caller_device:
      return {snapshot_filter::skip_device, c.me().account_id, c.me().device_id, ""};
    case may_change::caller_account:
      return {snapshot_filter::skip_account, c.me().account_id, 0, ""};
    case may_change::account_a:
      return {snapshot_filter::skip_account, c.w.A(), 0, ""};
    case may_change::new_account_only:
      return {snapshot_filter::only_accounts, c.w.A(), 0, c.w.B()};
  }
  return {};
}

http_result cell::measure(const std::function<http_result()>& request, bool has_body) {
  ++measured;
  const auto filter = filter_for(*this);
  const auto before = db.snapshot(filter);
  auto res = request();
  status = res.status;
  CHECK(res.status == want.status);
  if (has_body && res.status >= 400 && res.status == want.status) {
    json::value body;
    CHECK_NOTHROW(body = res.json());
    const auto* obj = body.if_object();
    const auto* code = obj != nullptr ? obj->if_contains("error") : nullptr;
    CHECK((code != nullptr && code->is_string()));
    if (code != nullptr && code->is_string() && want.error != nullptr) {
      CHECK(code->as_string() == want.error);
    }
  }
  const auto after = db.snapshot(filter);
  std::string changed;  // the tables whose fingerprint differs
  for (const auto& [table, print] : before) {
    if (after.at(table) != print)
      changed += table + " ";
  }
  INFO((allowed() ? "an allowed call changed rows outside its scope"
                  : "a refused call changed stored data"));
  CHECK(changed == "");
  return res;
}

// A precondition of a cell (not the cell's assertion): throws, and the cell fails with it.
void need(bool ok, const std::string& what) {
  if (!ok)
    throw std::runtime_error("cell set-up failed: " + what);
}

// Checks that `login` no longer authenticates (a removed device, a deleted account).
void check_login_dead(const cell& c, const device_login& login) {
  CHECK(api_client(c.server.port(), login).get("/v1/keys/status").status == 401);
}

std::set<std::int64_t> device_ids(const json::value& body, const char* key) {
  std::set<std::int64_t> out;
  const auto& list = body.at(key).as_array();
  for (const auto& d : list)
    out.insert(d.at("device_id").as_int64());
  return out;
}

// ---------------------------------------------------------------------------------------
// Row functions: prepare (outside the measurement), make the measured request, check the
// effect of an allowed call.

void register_account_row(cell& c) {
  const test_identity id;
  const auto name = unique_username("authz_new");
  auto r = c.send_json(http::verb::post, "/v1/accounts", id.registration(name, random_password()));
  if (!c.succeeded())
    return;
  // The credentials sent along are ignored: the new account is a new one, not A or B.
  const std::string created(r.json().at("account_id").as_string());
  CHECK(created != c.w.A());
  CHECK(created != c.w.B());
  CHECK(r.json().at("device_id").as_int64() == 1);
  CHECK(c.db.scalar("SELECT count(*) FROM accounts WHERE username = " + q(name) +
                    " AND id = " + q(created)) == 1);
}

void lookup_row(cell& c) {
  auto r = c.send(http::verb::get, "/v1/accounts/by-username/" + c.w.a_username);
  if (c.succeeded())
    CHECK(r.json().at("account_id").as_string() == c.w.A());
}

void list_devices_row(cell& c) {
  auto r = c.send(http::verb::get, "/v1/accounts/" + c.w.A() + "/devices");
  if (!c.succeeded())
    return;
  const auto body = r.json();
  CHECK(device_ids(body, "devices") == std::set<std::int64_t>{1, 2, 4});  // not the removed 3
}

void delete_account_row(cell& c) {
  c.send(http::verb::delete_, "/v1/accounts/me");
  if (!c.succeeded())
    return;
  // The caller's own account is gone, with its devices, and its logins are dead.
  const auto& gone = c.me().account_id;
  CHECK(c.db.scalar("SELECT count(*) FROM accounts WHERE id = " + q(gone)) == 0);
  CHECK(c.db.scalar("SELECT count(*) FROM devices WHERE account_id = " + q(gone)) == 0);
  check_login_dead(c, c.me());
  if (c.who == other)
    CHECK(c.db.scalar("SELECT count(*) FROM accounts WHERE id = " + q(c.w.A())) == 1);
}

// The body of POST /v1/devices for a fresh device: its own keys and `token`.
json::object link_body(const json::value& token) {
  const test_identity id;
  json::object body = id.registration("unused", random_password(), 1);
  body.erase("username");
  body["link_token"] = token;
  return body;
}

// A fresh link token of A's primary device.
json::value link_token_of_a(cell& c) {
  auto token =
      api_client(c.server.port(), c.w.a[1]).call(http::verb::post, "/v1/devices/link-tokens");
  need(token.status == 201, "link token: " + token.body);
  return token.json().at("token");
}

void link_token_row(cell& c) {
  auto r = c.send(http::verb::post, "/v1/devices/link-tokens");
  if (!c.succeeded())
    return;
  // The token links a device into the caller's own account.
  auto linked = http_client(c.server.port())
                    .request(http::verb::post, "/v1/devices",
                             json::serialize(link_body(r.json().at("token"))));
  CHECK(linked.status == 201);
  if (linked.status == 201)
    CHECK(linked.json().at("account_id").as_string() == c.me().account_id);
}

void link_device_row(cell& c) {
  // A fresh link token of A's; the Basic credentials sent along must make no difference.
  const json::object body = link_body(link_token_of_a(c));
  // The lowest free id from 2 (A.3 was removed, so 3 is free until a link takes it).
  const auto next_id = c.db.scalar(
      "SELECT min(n) FROM generate_series(2, 200) n WHERE n NOT IN (SELECT device_id FROM "
      "devices WHERE account_id = " +
      q(c.w.A()) + ")");
  auto r = c.send_json(http::verb::post, "/v1/devices", body);
  if (!c.succeeded())
    return;
  CHECK(r.json().at("account_id").as_string() == c.w.A());
  // The lowest free id: the ids of removed devices are used again.
  const auto device = r.json().at("device_id").as_int64();
  CHECK(device == next_id);
  CHECK(c.db.rows_of("devices", c.w.A(), static_cast<int>(device)) == 1);
}

void link_device_used_token_row(cell& c) {
  // A link token of A's, used once already: no Basic credentials stand in for a valid one.
  const json::value token = link_token_of_a(c);
  need(http_client(c.server.port())
               .request(http::verb::post, "/v1/devices", json::serialize(link_body(token)))
               .status == 201,
       "first use of the link token");
  c.send_json(http::verb::post, "/v1/devices", link_body(token));
}

void remove_device(cell& c, int device) {
  c.send(http::verb::delete_, "/v1/devices/" + std::to_string(device));
  if (!c.succeeded())
    return;
  // The device, its keys and its queue are gone; its login is dead; the rest of A stays.
  for (const char* table : {"devices", "signed_prekeys", "one_time_prekeys", "messages"}) {
    INFO(table);
    CHECK(c.db.rows_of(table, c.w.A(), device) == 0);
  }
  check_login_dead(c, c.w.a[device]);
  CHECK(c.db.scalar("SELECT count(*) FROM devices WHERE account_id = " + q(c.w.A())) == 2);
}
void remove_secondary_row(cell& c) {
  remove_device(c, 2);
}
void remove_other_secondary_row(cell& c) {
  remove_device(c, 4);
}
void remove_primary_row(cell& c) {
  remove_device(c, 1);
}
void remove_removed_row(cell& c) {
  remove_device(c, 3);
}

void upload_keys_row(cell& c) {
  // Signed by the identity of the device the caller claims to be, so only authorization
  // can make the difference.
  const auto& id = c.identity();
  json::object body{{"signed_prekey", id.signed_prekey(77)},
                    {"one_time_prekeys", id.one_time_prekeys(500, 3)}};
  const auto me = c.me();
  const auto before = c.db.rows_of("one_time_prekeys", me.account_id, me.device_id);
  c.send_json(http::verb::put, "/v1/keys", body);
  if (!c.succeeded())
    return;
  CHECK(c.db.rows_of("one_time_prekeys", me.account_id, me.device_id) == before + 3);
  CHECK(c.db.scalar("SELECT key_id FROM signed_prekeys WHERE account_id = " + q(me.account_id) +
                    " AND device_id = " + std::to_string(me.device_id)) == 77);
}

void key_status_row(cell& c) {
  auto r = c.send(http::verb::get, "/v1/keys/status");
  if (!c.succeeded())
    return;
  // The caller's own counts (every device of the fixture has a different count).
  CHECK(r.json().at("one_time_prekeys").as_int64() ==
        c.db.rows_of("one_time_prekeys", c.me().account_id, c.me().device_id));
}

void bundle_one_row(cell& c) {
  auto r = c.send(http::verb::get, "/v1/keys/" + c.w.A() + "/1");
  if (!c.succeeded())
    return;
  const auto body = r.json();
  CHECK(device_ids(body, "devices") == std::set<std::int64_t>{1});
  CHECK(body.at("devices").as_array()[0].at("identity_key").as_string() ==
        b64(c.w.a_ids[1].identity_key()));
  CHECK(body.at("devices").as_array()[0].at("one_time_prekey").is_object());
}

void bundle_all_row(cell& c) {
  auto r = c.send(http::verb::get, "/v1/keys/" + c.w.A() + "/*");
  if (!c.succeeded())
    return;
  const auto body = r.json();
  CHECK(device_ids(body, "devices") == std::set<std::int64_t>{1, 2, 4});
}

void send_row(cell& c) {
  // The set the claimed sender would name: A's live devices, minus itself if it is one of them.
  std::vector<int> devices;
  const auto l = c.login();
  for (int d : {1, 2, 4}) {
    if (!(l && l->account_id == c.w.A() && l->device_id == d))
      devices.push_back(d);
  }
  const auto me = c.me();
  const std::string from_me = "SELECT count(*) FROM messages WHERE account_id = " + q(c.w.A()) +
                              " AND source_account = " + q(me.account_id) +
                              " AND source_device = " + std::to_string(me.device_id);
  const auto before = c.db.scalar(from_me);
  auto r = c.send_json(http::verb::put, "/v1/messages/" + c.w.A(), send_body(devices, "matrix"));
  if (!c.succeeded())
    return;
  // Queued for A's devices, with the authenticated caller as the source.
  CHECK(r.json().at("results").as_array().size() == devices.size());
  CHECK(c.db.scalar(from_me) == before + static_cast<long long>(devices.size()));
}

void poll_row(cell& c) {
  auto r = c.send(http::verb::get, "/v1/messages");
  if (!c.succeeded())
    return;
  // Exactly the caller's own queue: its seeded envelope, none of the others'.
  std::set<std::string> got;
  const auto body = r.json();
  for (const auto& m : body.at("messages").as_array())
    got.insert(std::string(m.at("guid").as_string()));
  CHECK(got == std::set<std::string>{c.w.seeded.at(key_of(c.me()))});
}

void ack_row(cell& c, int device) {
  // A fresh envelope for each of A's devices; the target is the one queued for `device`.
  const auto guid = send_to(c.server.port(), c.w.b1, c.w.A(), {1, 2, 4}, "to ack").at(device);
  c.send(http::verb::delete_, "/v1/messages/" + guid);
  if (!c.succeeded())
    return;
  CHECK(c.db.scalar("SELECT count(*) FROM messages WHERE guid = " + q(guid)) == 0);
}
void ack_primary_row(cell& c) {
  ack_row(c, 1);
}
void ack_secondary_row(cell& c) {
  ack_row(c, 2);
}

void put_backup_row(cell& c) {
  const std::string blob = "matrix backup " + std::to_string(c.who);
  c.send(http::verb::put, "/v1/backup", blob, {{"Content-Type", "application/octet-stream"}});
  if (!c.succeeded())
    return;
  CHECK(c.db.backup_of(c.me().account_id) == blob);
}

void get_backup_row(cell& c) {
  auto r = c.send(http::verb::get, "/v1/backup");
  if (!c.succeeded())
    return;
  CHECK(r.body == (c.who == other ? c.w.b_backup : c.w.a_backup));  // the caller's account's own
}

void delete_backup_row(cell& c) {
  // Both accounts hold a backup when the cell starts.
  put_backup(c.server.port(), c.w.a[1], c.w.a_backup);
  put_backup(c.server.port(), c.w.b1, c.w.b_backup);
  c.send(http::verb::delete_, "/v1/backup");
  if (!c.succeeded())
    return;
  CHECK_FALSE(c.db.backup_of(c.me().account_id).has_value());
}

void websocket(cell& c, bool in_query) {
  const auto l = c.login();
  std::string target = "/v1/websocket";
  std::string authorization;
  if (l && in_query) {
    target = websocket_query_target(*l);
  } else if (l) {
    authorization = basic_auth(l->account_id, l->device_id, l->password);
  }
  std::unique_ptr<ws_client> ws;
  c.measure(
      [&] {
        http_result res;
        if (c.allowed()) {
          try {
            ws = std::make_unique<ws_client>(c.server.port(), *l, in_query);
            res.status = 101;
            return res;
          } catch (const std::exception&) {
            // Refused: find out with what.
          }
        }
        res.status = static_cast<unsigned>(upgrade_status(c.server.port(), target, authorization));
        return res;
      },
      /*has_body=*/false);
  if (!ws)
    return;
  // The socket carries exactly the caller's own queue, then QueueEmpty.
  std::set<std::string> got;
  bool queue_empty = false;
  for (int i = 0; i < 10 && !queue_empty; ++i) {
    auto frame = ws->next(std::chrono::seconds(5));
    if (!frame)
      break;
    queue_empty = frame->has_queue_empty();
    if (frame->has_delivery()) {
      CHECK(frame->delivery().destination_device() == static_cast<std::uint32_t>(c.me().device_id));
      got.insert(sealpost::net::guid_text(frame->delivery().guid()));
    }
  }
  CHECK(queue_empty);
  CHECK(got == std::set<std::string>{c.w.seeded.at(key_of(c.me()))});
}
void websocket_header_row(cell& c) {
  websocket(c, false);
}
void websocket_query_row(cell& c) {
  websocket(c, true);
}

void trust_root_row(cell& c) {
  auto r = c.send(http::verb::get, "/v1/certificate/trust-root");
  if (!c.succeeded())
    return;
  CHECK(r.json().at("trust_root").as_string().size() == 44);  // base64 of 33 bytes
}
void delivery_certificate_row(cell& c) {
  auto r = c.send(http::verb::get, "/v1/certificate/delivery");
  if (!c.succeeded())
    return;
  // The chain itself is checked in sealed_sender_keys_test; here, that any device gets one.
  const auto body = r.json();
  CHECK(body.at("expires_at").as_int64() > 0);
  CHECK(!body.at("certificate").as_string().empty());
}

long long accounts_with_access_key(cell& c) {
  return c.db.scalar("SELECT count(*) FROM accounts WHERE id = " + q(c.me().account_id) +
                     " AND unidentified_access_key IS NOT NULL");
}
void show_access_row(cell& c) {
  auto r = c.send(http::verb::get, "/v1/accounts/me/unidentified-access");
  if (!c.succeeded())
    return;
  CHECK(r.json().at("unidentified_access_key_set").as_bool() == (accounts_with_access_key(c) == 1));
  CHECK(r.json().as_object().size() == 2);  // never the key itself
}
void put_access_row(cell& c) {
  const json::object body{{"unidentified_access_key", b64(std::string(16, '\x42'))},
                          {"unrestricted_unidentified_access", true}};
  c.send_json(http::verb::put, "/v1/accounts/me/unidentified-access", body);
  if (!c.succeeded())
    return;
  CHECK(c.db.scalar("SELECT count(*) FROM accounts WHERE id = " + q(c.me().account_id) +
                    " AND unidentified_access_key = '\\x42424242424242424242424242424242' AND "
                    "unrestricted_unidentified_access") == 1);
}

void multi_recipient_row(cell& c) {
  // A well-formed SSv2 body for A's primary; no caller kind may send it with credentials.
  std::string body = "\x23\x01";
  body += '\0';
  for (std::size_t i = 0; i < c.w.A().size(); i += 2) {
    if (c.w.A()[i] == '-')
      ++i;
    body.push_back(static_cast<char>(std::stoi(c.w.A().substr(i, 2), nullptr, 16)));
  }
  body += std::string("\x01\x04\xd2", 3) + std::string(48, 'k') + std::string(40, 's');
  c.send(http::verb::put, "/v1/messages/multi_recipient?timestamp=1", body);
}

// Key transparency: the configuration and heads are public; searches, monitoring and owner
// checks need any device's credentials (the owner route answers for the caller's own labels).
void kt_config_row(cell& c) {
  auto r = c.send(http::verb::get, "/v1/kt/config");
  if (c.succeeded())
    CHECK(r.json().at("ciphersuite").as_int64() == 1);
}
void kt_head_row(cell& c) {
  auto r = c.send(http::verb::get, "/v1/kt/head");
  if (c.succeeded())
    CHECK(r.json().at("proof").at("head").at("tree_size").as_int64() > 0);
}
void kt_search_account_row(cell& c) {
  auto r = c.send(http::verb::get, "/v1/kt/accounts/" + c.w.A());
  if (c.succeeded())
    CHECK(r.json().at("version").as_int64() >= 0);
}
void kt_search_username_row(cell& c) {
  auto r = c.send(http::verb::get, "/v1/kt/usernames/" + c.w.a_username);
  if (c.succeeded())
    CHECK(r.json().at("version").as_int64() == 0);
}
void kt_monitor_row(cell& c) {
  c.send_json(http::verb::post, "/v1/kt/monitor",
              json::object{{"account_id", c.w.A()}, {"entries", json::array{}}});
}
void kt_owner_row(cell& c) {
  auto r =
      c.send_json(http::verb::post, "/v1/kt/owner",
                  json::object{{"label", "account"}, {"start", 0}, {"entries", json::array{}}});
  if (c.succeeded())
    CHECK_FALSE(r.json().at("new_versions").as_array().empty());
}

void kt_audit_row(cell& c) {
  auto headers = c.auth_header();
  c.measure([&] {
    return http_client(c.server.admin_port())
        .request(http::verb::get, "/v1/kt/audit?start=0", "", headers);
  });
}

void healthz_row(cell& c) {
  c.send(http::verb::get, "/healthz");
}
void readyz_row(cell& c) {
  c.send(http::verb::get, "/readyz");
}
void metrics_row(cell& c) {
  auto headers = c.auth_header();
  c.measure([&] {
    return http_client(c.server.admin_port()).request(http::verb::get, "/metrics", "", headers);
  });
}

// ---------------------------------------------------------------------------------------
// THE MATRIX. Target account A; B is the other account (see the top of the file).
// Columns: unauth, wrong_pw, other (B.1), removed (A.3), secondary (A.2), primary (A.1).

// clang-format off
const std::vector<row> kMatrix = {
  // endpoint [target]                                      may change                     fixture                       unauth      wrong_pw    other            removed     secondary          primary
  // -- accounts (open registration ignores any credentials sent along)
  {"POST /v1/accounts",                                      may_change::new_account_only,  fixture::shared,            {s201,       s201,       s201,            s201,       s201,              s201},           register_account_row},
  {"GET /v1/accounts/by-username/{name} [A]",                may_change::nothing,           fixture::shared,            {no_auth,    no_auth,    s200,            no_auth,    s200,              s200},           lookup_row},
  {"GET /v1/accounts/{account_id}/devices [A]",              may_change::nothing,           fixture::shared,            {no_auth,    no_auth,    s200,            no_auth,    s200,              s200},           list_devices_row},
  {"DELETE /v1/accounts/me [own account]",                   may_change::caller_account,    fixture::fresh_if_allowed,  {no_auth,    no_auth,    s204,            no_auth,    primary_required,  s204},           delete_account_row},
  {"GET /v1/accounts/me/unidentified-access [own account]",  may_change::nothing,           fixture::shared,            {no_auth,    no_auth,    s200,            no_auth,    s200,              s200},           show_access_row},
  {"PUT /v1/accounts/me/unidentified-access [own account]",  may_change::caller_account,    fixture::per_row,           {no_auth,    no_auth,    s204,            no_auth,    primary_required,  s204},           put_access_row},
  // -- sealed sender certificates (the trust root is public by design)
  {"GET /v1/certificate/trust-root",                         may_change::nothing,           fixture::shared,            {s200,       s200,       s200,            s200,       s200,              s200},           trust_root_row},
  {"GET /v1/certificate/delivery [own device]",              may_change::nothing,           fixture::shared,            {no_auth,    no_auth,    s200,            no_auth,    s200,              s200},           delivery_certificate_row},
  // -- devices (linking: the link token is the credential; Basic credentials are ignored)
  {"POST /v1/devices/link-tokens [own account]",             may_change::caller_account,    fixture::per_row,           {no_auth,    no_auth,    s201,            no_auth,    primary_required,  s201},           link_token_row},
  {"POST /v1/devices [fresh link token of A]",               may_change::account_a,         fixture::per_row,           {s201,       s201,       s201,            s201,       s201,              s201},           link_device_row},
  {"POST /v1/devices [used link token of A]",                may_change::nothing,           fixture::per_row,           {bad_token,  bad_token,  bad_token,       bad_token,  bad_token,         bad_token},      link_device_used_token_row},
  {"DELETE /v1/devices/{device_id} [2: A.2]",                may_change::account_a,         fixture::fresh_if_allowed,  {no_auth,    no_auth,    no_device,       no_auth,    s204,              s204},           remove_secondary_row},
  {"DELETE /v1/devices/{device_id} [4: another secondary]",  may_change::account_a,         fixture::fresh_if_allowed,  {no_auth,    no_auth,    no_device,       no_auth,    forbidden,         s204},           remove_other_secondary_row},
  {"DELETE /v1/devices/{device_id} [1: the primary]",        may_change::nothing,           fixture::shared,            {no_auth,    no_auth,    primary_device,  no_auth,    forbidden,         primary_device}, remove_primary_row},
  {"DELETE /v1/devices/{device_id} [3: removed A.3]",        may_change::nothing,           fixture::shared,            {no_auth,    no_auth,    no_device,       no_auth,    forbidden,         no_device},      remove_removed_row},
  // -- keys (uploads and status: the caller's own device; bundles: any authenticated device)
  {"PUT /v1/keys [own device]",                              may_change::caller_device,     fixture::per_row,           {no_auth,    no_auth,    s204,            no_auth,    s204,              s204},           upload_keys_row},
  {"GET /v1/keys/status [own device]",                       may_change::nothing,           fixture::shared,            {no_auth,    no_auth,    s200,            no_auth,    s200,              s200},           key_status_row},
  {"GET /v1/keys/{account_id}/{device_id} [A/1]",            may_change::account_a,         fixture::per_row,           {no_auth,    no_auth,    s200,            no_auth,    s200,              s200},           bundle_one_row},
  {"GET /v1/keys/{account_id}/{device_id} [A/*]",            may_change::account_a,         fixture::per_row,           {no_auth,    no_auth,    s200,            no_auth,    s200,              s200},           bundle_all_row},
  // -- messages (send: any authenticated device; queue and acks: the caller's own device)
  {"PUT /v1/messages/multi_recipient [A.1]",                 may_change::nothing,           fixture::shared,            {no_auth,    credentials_refused, credentials_refused, credentials_refused, credentials_refused, credentials_refused}, multi_recipient_row},
  {"PUT /v1/messages/{account_id} [A]",                      may_change::account_a,         fixture::per_row,           {no_auth,    no_auth,    s200,            no_auth,    s200,              s200},           send_row},
  {"GET /v1/messages [own queue]",                           may_change::nothing,           fixture::shared,            {no_auth,    no_auth,    s200,            no_auth,    s200,              s200},           poll_row},
  {"DELETE /v1/messages/{guid} [queued for A.1]",            may_change::caller_device,     fixture::per_row,           {no_auth,    no_auth,    no_message,      no_auth,    no_message,        s204},           ack_primary_row},
  {"DELETE /v1/messages/{guid} [queued for A.2]",            may_change::caller_device,     fixture::per_row,           {no_auth,    no_auth,    no_message,      no_auth,    s204,              no_message},     ack_secondary_row},
  // -- backup (one per account: any device of the account, no other account)
  {"PUT /v1/backup [own account]",                           may_change::caller_account,    fixture::per_row,           {no_auth,    no_auth,    s204,            no_auth,    s204,              s204},           put_backup_row},
  {"GET /v1/backup [own account]",                           may_change::nothing,           fixture::shared,            {no_auth,    no_auth,    s200,            no_auth,    s200,              s200},           get_backup_row},
  {"DELETE /v1/backup [own account]",                        may_change::caller_account,    fixture::per_row,           {no_auth,    no_auth,    s204,            no_auth,    s204,              s204},           delete_backup_row},
  // -- WebSocket delivery (the caller's own queue)
  {"GET /v1/websocket [Basic header]",                       may_change::nothing,           fixture::shared,            {no_auth,    no_auth,    s101,            no_auth,    s101,              s101},           websocket_header_row},
  {"GET /v1/websocket [?login=&password=]",                  may_change::nothing,           fixture::shared,            {no_auth,    no_auth,    s101,            no_auth,    s101,              s101},           websocket_query_row},
  // -- key transparency (config and heads are public by design)
  {"GET /v1/kt/config",                                      may_change::nothing,           fixture::shared,            {s200,       s200,       s200,            s200,       s200,              s200},           kt_config_row},
  {"GET /v1/kt/head",                                        may_change::nothing,           fixture::shared,            {s200,       s200,       s200,            s200,       s200,              s200},           kt_head_row},
  {"GET /v1/kt/accounts/{account_id} [A]",                   may_change::nothing,           fixture::shared,            {no_auth,    no_auth,    s200,            no_auth,    s200,              s200},           kt_search_account_row},
  {"GET /v1/kt/usernames/{name} [A]",                        may_change::nothing,           fixture::shared,            {no_auth,    no_auth,    s200,            no_auth,    s200,              s200},           kt_search_username_row},
  {"POST /v1/kt/monitor [A]",                                may_change::nothing,           fixture::shared,            {no_auth,    no_auth,    s200,            no_auth,    s200,              s200},           kt_monitor_row},
  {"GET /v1/kt/audit [admin listener]",                      may_change::nothing,           fixture::shared,            {s200,       s200,       s200,            s200,       s200,              s200},           kt_audit_row},
  {"POST /v1/kt/owner [own account]",                        may_change::nothing,           fixture::shared,            {no_auth,    no_auth,    s200,            no_auth,    s200,              s200},           kt_owner_row},
  // -- health and metrics (no authentication; credentials sent along are ignored)
  {"GET /healthz",                                           may_change::nothing,           fixture::shared,            {s200,       s200,       s200,            s200,       s200,              s200},           healthz_row},
  {"GET /readyz",                                            may_change::nothing,           fixture::shared,            {s200,       s200,       s200,            s200,       s200,              s200},           readyz_row},
  {"GET /metrics [admin listener]",                          may_change::nothing,           fixture::shared,            {s200,       s200,       s200,            s200,       s200,              s200},           metrics_row},
};
// clang-format on

// "METHOD /path" of a row (its name without the bracketed target).
std::string route_of(const std::string& endpoint) {
  const auto bracket = endpoint.find(" [");
  return endpoint.substr(0, bracket);
}

}  // namespace

TEST_CASE("authorization matrix covers every endpoint of docs/api.md",
          "[security][authorization]") {
  std::ifstream in(std::string(SEALPOST_SOURCE_DIR) + "/docs/api.md");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  // Every endpoint heading, e.g. "### `DELETE /v1/devices/{device_id}`: remove a device".
  std::set<std::string> documented;
  static const std::regex heading(R"(\n### `([A-Z]+ /[^`]*)`)");
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), heading);
       it != std::sregex_iterator(); ++it) {
    documented.insert((*it)[1]);
  }
  REQUIRE(documented.size() >= 19);
  std::set<std::string> in_matrix;
  for (const auto& r : kMatrix)
    in_matrix.insert(route_of(r.endpoint));
  for (const auto& endpoint : documented) {
    INFO("documented endpoint missing from the matrix: " << endpoint);
    CHECK(in_matrix.count(endpoint) == 1);
  }
  for (const auto& endpoint : in_matrix) {
    INFO("matrix row for an endpoint docs/api.md does not document: " << endpoint);
    // The WebSocket upgrade is documented under "Connecting", not as a heading.
    CHECK((documented.count(endpoint) == 1 || endpoint == "GET /v1/websocket"));
  }
}

TEST_CASE("authorization matrix: every endpoint x every caller kind", "[security][authorization]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST", "100000"},
                                   {"SEALPOST_RATE_LIMITS_AUTH_FAILURE_PER_IP_BURST", "100000"},
                                   {"SEALPOST_RATE_LIMITS_LINK_TOKEN_PER_ACCOUNT_BURST", "100000"},
                                   {"SEALPOST_RATE_LIMITS_MESSAGES_PER_SENDER_BURST", "100000"},
                                   {"SEALPOST_RATE_LIMITS_BUNDLE_PER_PAIR_BURST", "100000"},
                                   {"SEALPOST_RATE_LIMITS_BUNDLE_PER_REQUESTER_BURST", "100000"},
                                   // The linking rows add a device per cell to one account.
                                   {"SEALPOST_ACCOUNTS_MAX_DEVICES", "16"},
                                   // Every change is in the log before its request returns,
                                   // so the key-transparency rows find the fixtures there.
                                   {"SEALPOST_KT_BATCH_INTERVAL_MS", "10"},
                                   {"SEALPOST_KT_CONFIRM_WAIT_MS", "10000"}});
  database_probe probe(db.url());
  std::size_t cells = 0;
  std::vector<std::string> mismatches;
  std::ostringstream observed;
  std::unique_ptr<world> shared_world;
  for (const auto& r : kMatrix) {
    std::unique_ptr<world> row_world;
    // The accounts of the fixtures still in use survive the next fixture's clean-up.
    const auto in_use = [&] {
      std::vector<std::string> ids;
      for (const auto* w : {shared_world.get(), row_world.get()}) {
        if (w != nullptr)
          ids.insert(ids.end(), {w->A(), w->B()});
      }
      return ids;
    };
    observed << r.endpoint << ":";
    for (std::size_t k = 0; k < kCallers; ++k) {
      const auto who = static_cast<caller>(k);
      const auto want = r.expected[k];
      INFO("cell: " << r.endpoint << " x " << kCallerNames[k] << " (expected " << want.status
                    << (want.error ? std::string(" ") + want.error : std::string()) << ")");
      unsigned got = 0;
      try {
        std::unique_ptr<world> cell_world;
        world* w = nullptr;
        if (r.fresh == fixture::shared) {
          if (!shared_world)
            shared_world = make_world(server.port(), probe, in_use());
          w = shared_world.get();
        } else if (r.fresh == fixture::fresh_if_allowed && want.status < 400) {
          cell_world = make_world(server.port(), probe, in_use());
          w = cell_world.get();
        } else {
          if (!row_world)
            row_world = make_world(server.port(), probe, in_use());
          w = row_world.get();
        }
        cell c{r, who, want, *w, server, probe};
        r.run(c);
        CHECK(c.measured == 1);
        got = c.status;
      } catch (const std::exception& e) {
        FAIL_CHECK("exception: " << e.what());
      }
      observed << " " << got;
      if (got != want.status)
        mismatches.push_back(std::string(r.endpoint) + " x " + kCallerNames[k]);
      ++cells;
    }
    observed << "\n";
  }
  CHECK(cells == kMatrix.size() * kCallers);
  INFO("observed statuses (unauth, wrong_pw, other, removed, secondary, primary):\n"
       << observed.str());
  CHECK(mismatches.empty());
}
