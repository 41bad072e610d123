// Key transparency on a real server and Postgres (DESIGN.md, "Key transparency, stage 1"):
// every registration, link, removal and deletion is published, the answers of /v1/kt/* verify
// in a client-side checker at growing tree sizes, two nodes sequence the same log without
// publishing anything twice, and `admin kt verify` recomputes the whole log from its tables.
#include <sys/stat.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <set>
#include <sstream>

#include "api_client.hpp"
#include "keytrans/labels.hpp"
#include "kt_checker.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "wait_until.hpp"

using namespace sealpost::testing;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// A fast sequencer, and requests that wait for it: each change has its entry on return.
std::map<std::string, std::string> kt_env(std::string interval_ms = "20") {
  return {{"SEALPOST_KT_BATCH_INTERVAL_MS", std::move(interval_ms)},
          {"SEALPOST_KT_CONFIRM_WAIT_MS", "10000"},
          {"SEALPOST_RATE_LIMITS_REGISTRATION_PER_IP_BURST", "100000"}};
}

struct registered {
  device_login login;
  std::string username;
  test_identity identity;
  json::value kt_position;
};

registered register_with_kt(std::uint16_t port) {
  registered r{{}, unique_username("kt"), test_identity(), nullptr};
  const auto password = random_password();
  auto res =
      http_client(port).request(http::verb::post, "/v1/accounts",
                                json::serialize(r.identity.registration(r.username, password)));
  REQUIRE(res.status == 201);
  const auto body = res.json();
  r.login = {std::string(body.at("account_id").as_string()),
             static_cast<std::int32_t>(body.at("device_id").as_int64()), password};
  r.kt_position = body.at("kt_position");
  return r;
}

// The device list a search proved.
std::vector<sealpost::keytrans::kt_device> devices_of(const kt_search_result& result) {
  const auto decoded = sealpost::keytrans::decode_device_list(
      {reinterpret_cast<const std::uint8_t*>(result.value.data()), result.value.size()});
  REQUIRE(decoded);
  return *decoded;
}

kt_search_result search(std::uint16_t port, const device_login& as, kt_checker& checker,
                        const std::string& path, const std::string& label) {
  auto res = api_client(port, as).get(path + checker.last_query());
  INFO(res.body);
  REQUIRE(res.status == 200);
  kt_search_result result;
  const auto failure = checker.check_search(label, res.json(), &result);
  INFO(failure.value_or(""));
  REQUIRE_FALSE(failure);
  return result;
}

kt_checker pinned_checker(std::uint16_t port) {
  auto res = http_client(port).get("/v1/kt/config");
  REQUIRE(res.status == 200);
  return kt_checker(res.json());
}

std::string raw_uuid(const std::string& account_id) {
  return kt_account_label(account_id).substr(1);
}

long long scalar(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  return tx.exec1(sql)[0].as<long long>();
}

command_result admin_kt(const std::string& url, std::vector<std::string> words) {
  words.insert(words.begin(), {"admin", "kt"});
  return run_server_command(words, {{"SEALPOST_DATABASE_URL", url}});
}

}  // namespace

TEST_CASE("key transparency: registration, linking, removal and deletion are each published",
          "[kt]") {
  test_database db;
  server_process server(db.url(), kt_env());
  auto checker = pinned_checker(server.port());

  auto alice = register_with_kt(server.port());
  REQUIRE(alice.kt_position.is_number());
  const auto label = kt_account_label(alice.login.account_id);
  const auto path = "/v1/kt/accounts/" + alice.login.account_id;

  auto found = search(server.port(), alice.login, checker, path, label);
  CHECK(found.version == 0);
  auto devices = devices_of(found);
  REQUIRE(devices.size() == 1);
  CHECK(devices[0].device_id == 1);
  CHECK(std::string(devices[0].identity_key.begin(), devices[0].identity_key.end()) ==
        alice.identity.identity_key());

  // The username maps to the account's 16 UUID bytes.
  const auto name_label = kt_username_label(alice.username);
  auto name =
      search(server.port(), alice.login, checker, "/v1/kt/usernames/" + alice.username, name_label);
  CHECK(name.version == 0);
  CHECK(name.value == raw_uuid(alice.login.account_id));

  // A link is the next version, with both devices.
  api_client primary(server.port(), alice.login);
  const test_identity tablet;
  const auto linked = link_device(server.port(), primary, tablet);
  found = search(server.port(), alice.login, checker, path, label);
  CHECK(found.version == 1);
  devices = devices_of(found);
  REQUIRE(devices.size() == 2);
  CHECK(devices[1].device_id == static_cast<std::uint32_t>(linked.device_id));

  // Removal waits for its entry and says where it is.
  auto removed =
      primary.call(http::verb::delete_, "/v1/devices/" + std::to_string(linked.device_id));
  REQUIRE(removed.status == 204);
  REQUIRE(removed.headers.contains("sealpost-kt-position"));
  found = search(server.port(), alice.login, checker, path, label);
  CHECK(found.version == 2);
  CHECK(devices_of(found).size() == 1);

  // Deletion publishes an empty device list and frees the username.
  auto other = register_with_kt(server.port());
  auto deleted = primary.call(http::verb::delete_, "/v1/accounts/me");
  REQUIRE(deleted.status == 204);
  CHECK(deleted.headers.contains("sealpost-kt-position"));
  found = search(server.port(), other.login, checker, path, label);
  CHECK(found.version == 3);
  CHECK(devices_of(found).empty());
  name =
      search(server.port(), other.login, checker, "/v1/kt/usernames/" + alice.username, name_label);
  CHECK(name.version == 1);
  CHECK(name.value.empty());

  auto head = http_client(server.port()).get("/v1/kt/head" + checker.last_query());
  REQUIRE(head.status == 200);
  CHECK_FALSE(checker.check_head(head.json()));

  const auto verified = admin_kt(db.url(), {"verify"});
  INFO(verified.output);
  CHECK(verified.exit_code == 0);
}

TEST_CASE("key transparency: answers verify for fresh and retaining clients as the log grows",
          "[kt]") {
  test_database db;
  server_process server(db.url(), kt_env());
  auto retaining = pinned_checker(server.port());
  std::vector<registered> accounts;
  std::set<std::uint64_t> sizes;
  for (int i = 0; i < 14; ++i) {
    accounts.push_back(register_with_kt(server.port()));
    const auto& asker = accounts.back().login;
    // A search for an earlier account, by a client that retained its last view and by one
    // that has none.
    const auto& target = accounts[static_cast<std::size_t>(i) / 2].login;
    const auto path = "/v1/kt/accounts/" + target.account_id;
    const auto label = kt_account_label(target.account_id);
    const auto found = search(server.port(), asker, retaining, path, label);
    sizes.insert(found.tree_size);
    auto fresh = pinned_checker(server.port());
    search(server.port(), asker, fresh, path, label);
    auto head = http_client(server.port()).get("/v1/kt/head" + retaining.last_query());
    REQUIRE(head.status == 200);
    const auto failure = retaining.check_head(head.json());
    INFO(failure.value_or(""));
    CHECK_FALSE(failure);
  }
  CHECK(sizes.size() >= 10);  // answers at ten or more different tree sizes were checked
}

TEST_CASE("key transparency: two nodes sequence one log, each change once and in order", "[kt]") {
  test_database db;
  auto env = kt_env("10");
  env["SEALPOST_KT_CONFIRM_WAIT_MS"] = "0";  // the changes pile up while both nodes batch
  server_process a(db.url(), env);
  server_process b(db.url(), env);
  std::vector<registered> accounts;
  for (int i = 0; i < 24; ++i)
    accounts.push_back(register_with_kt(i % 2 == 0 ? a.port() : b.port()));
  // Every third account links a device through the other node.
  for (std::size_t i = 0; i < accounts.size(); i += 3) {
    const auto other_node = i % 2 == 0 ? b.port() : a.port();
    api_client primary(other_node, accounts[i].login);
    link_device(other_node, primary, test_identity());
  }
  REQUIRE(wait_until([&] { return scalar(db.url(), "SELECT count(*) FROM kt_pending") == 0; },
                     std::chrono::seconds(30)));
  // Each account label: its versions count up from 0 at ascending entries, at most one per
  // change (a registration and a link queued before one batch collapse into one version,
  // [D5]), and the newest holds every device.
  std::size_t versions = 0;
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    pqxx::connection conn(db.url());
    pqxx::nontransaction tx(conn);
    const auto rows = tx.exec_params(
        "SELECT version, position, value FROM kt_versions WHERE label = $1 ORDER BY version",
        pqxx::binarystring(kt_account_label(accounts[i].login.account_id)));
    const std::size_t changes = i % 3 == 0 ? 2 : 1;
    REQUIRE(rows.size() >= 1);
    REQUIRE(rows.size() <= changes);
    for (std::size_t v = 0; v < rows.size(); ++v) {
      CHECK(rows[v][0].as<std::size_t>() == v);
      if (v > 0)
        CHECK(rows[v - 1][1].as<long long>() < rows[v][1].as<long long>());
    }
    const pqxx::binarystring newest(rows.back()[2]);
    const auto devices = sealpost::keytrans::decode_device_list(
        {reinterpret_cast<const std::uint8_t*>(newest.data()), newest.size()});
    REQUIRE(devices);
    CHECK(devices->size() == changes);
    versions += rows.size();
  }
  // Every username once, and nothing else but heartbeats.
  CHECK(scalar(db.url(),
               "SELECT count(*) FROM kt_versions WHERE label <> '\\x00686561727462656174'") ==
        static_cast<long long>(accounts.size() + versions));
  // Entries are contiguous from 0 and every one was signed once.
  CHECK(scalar(db.url(), "SELECT count(*) FROM kt_entries") ==
        scalar(db.url(), "SELECT max(position) + 1 FROM kt_entries"));
  const auto verified = admin_kt(db.url(), {"verify"});
  INFO(verified.output);
  CHECK(verified.exit_code == 0);
  // Both nodes answer with the same log.
  auto from_a = pinned_checker(a.port());
  auto from_b = pinned_checker(b.port());
  const auto& target = accounts.front().login;
  const auto label = kt_account_label(target.account_id);
  const auto path = "/v1/kt/accounts/" + target.account_id;
  CHECK(search(a.port(), target, from_a, path, label).version == 1);
  CHECK(search(b.port(), target, from_b, path, label).version == 1);
}

TEST_CASE("key transparency: refused queries get 4xx and change nothing", "[kt]") {
  test_database db;
  server_process server(db.url(), kt_env());
  auto alice = register_with_kt(server.port());
  api_client client(server.port(), alice.login);
  http_client anyone(server.port());
  const auto size = scalar(db.url(), "SELECT max(position) + 1 FROM kt_entries");
  CHECK(anyone.get("/v1/kt/head?last=0").status == 400);
  CHECK(anyone.get("/v1/kt/head?last=" + std::to_string(size + 1000)).status == 400);
  CHECK(anyone.get("/v1/kt/head?last=1&last=1").status == 400);
  CHECK(anyone.get("/v1/kt/head?other=1").status == 400);
  CHECK(anyone.get("/v1/kt/accounts/" + alice.login.account_id).status == 401);
  auto unknown = client.get("/v1/kt/accounts/00000000-0000-4000-8000-000000000000");
  CHECK(unknown.status == 404);
  CHECK(unknown.json().at("error") == "not_found");
  CHECK(client.get("/v1/kt/usernames/nobody-here").status == 404);
  // Monitoring a version the log never published, or at a position that is not its entry
  // nor an ancestor of it.
  const json::object bad_version{{"account_id", alice.login.account_id},
                                 {"entries", json::array{{{"position", 0}, {"version", 7}}}}};
  CHECK(client.call(http::verb::post, "/v1/kt/monitor", bad_version).status == 400);
  json::array too_many;
  for (int i = 0; i < 17; ++i)
    too_many.push_back({{"position", i}, {"version", 0}});
  const json::object over{{"account_id", alice.login.account_id}, {"entries", too_many}};
  CHECK(client.call(http::verb::post, "/v1/kt/monitor", over).status == 400);
  const json::object both{{"account_id", alice.login.account_id},
                          {"username", alice.username},
                          {"entries", json::array{}}};
  CHECK(client.call(http::verb::post, "/v1/kt/monitor", both).status == 400);
  const json::object bad_label{{"label", "devices"}, {"start", 0}, {"entries", json::array{}}};
  CHECK(client.call(http::verb::post, "/v1/kt/owner", bad_label).status == 400);
  CHECK(scalar(db.url(), "SELECT count(*) FROM kt_pending") == 0);
}

// The request bodies of /v1/kt/owner and /monitor for a client state.
json::array entries_json(const std::vector<sealpost::keytrans::kt_map_entry>& entries) {
  json::array out;
  for (const auto& e : entries)
    out.push_back({{"position", e.position}, {"version", e.version}});
  return out;
}

json::object owner_body(const sealpost::keytrans::kt_owner_state& state, std::uint64_t last) {
  json::value greatest = nullptr;
  if (!state.versions.empty())
    greatest = state.versions.rbegin()->first;
  return {{"last", last},
          {"label", "account"},
          {"start", state.start},
          {"greatest_version", greatest},
          {"entries", entries_json(state.entries)}};
}

TEST_CASE("key transparency: owner and monitor answers verify in the client's checks", "[kt]") {
  test_database db;
  server_process server(db.url(), kt_env());
  auto alice = register_with_kt(server.port());
  const auto label = kt_account_label(alice.login.account_id);
  api_client primary(server.port(), alice.login);

  // Alice's device adopts the history up to the entry that published it [D4].
  auto own = pinned_checker(server.port());
  REQUIRE(own.check_head(http_client(server.port()).get("/v1/kt/head").json()) == std::nullopt);
  sealpost::keytrans::kt_owner_state state;
  state.start = static_cast<std::uint64_t>(alice.kt_position.as_int64());
  const auto owner_round = [&](std::size_t expect_new) {
    bool more = true;
    std::size_t seen = 0;
    while (more) {
      auto res = primary.call(http::verb::post, "/v1/kt/owner",
                              owner_body(state, own.retained().tree_size));
      INFO(res.body);
      REQUIRE(res.status == 200);
      sealpost::keytrans::kt_owner_outcome outcome;
      const auto failure = own.check_owner(label, state, res.json(), 32, &outcome);
      INFO(failure.value_or(""));
      REQUIRE_FALSE(failure);
      seen += outcome.new_versions.size();
      state = outcome.state;
      more = outcome.more;
    }
    CHECK(seen == expect_new);
  };
  owner_round(1);  // version 0: the registration
  link_device(server.port(), primary, test_identity());
  owner_round(1);  // version 1: the link
  CHECK(state.versions.size() == 2);
  owner_round(0);

  // Bob searches Alice; a terminal entry that is not distinguished becomes a map entry he
  // then monitors as the log grows.
  auto bob = register_with_kt(server.port());
  auto contact = pinned_checker(server.port());
  auto res = api_client(server.port(), bob.login).get("/v1/kt/accounts/" + alice.login.account_id);
  REQUIRE(res.status == 200);
  sealpost::keytrans::kt_search_outcome found;
  REQUIRE(contact.check_search(label, res.json(), nullptr, &found) == std::nullopt);
  CHECK(found.version == 1);
  std::vector<sealpost::keytrans::kt_map_entry> map;
  if (found.map_entry)
    map.push_back(*found.map_entry);
  for (int i = 0; i < 3; ++i) {
    register_with_kt(server.port());  // the log grows
    const json::object body{{"last", contact.retained().tree_size},
                            {"account_id", alice.login.account_id},
                            {"entries", entries_json(map)}};
    auto watched =
        api_client(server.port(), bob.login).call(http::verb::post, "/v1/kt/monitor", body);
    INFO(watched.body);
    REQUIRE(watched.status == 200);
    std::vector<sealpost::keytrans::kt_map_entry> moved;
    const auto failure = contact.check_monitor(label, map, watched.json(), &moved);
    INFO(failure.value_or(""));
    REQUIRE_FALSE(failure);
    map = moved;
  }
}

TEST_CASE("key transparency: admin kt new-keys, file mode, show, and a tampered log", "[kt]") {
  const fs::path dir = fs::temp_directory_path() / ("sealpost-kt-" + unique_username("k"));
  const auto made = run_server_command({"admin", "kt", "new-keys", "--out", dir.string()});
  INFO(made.output);
  REQUIRE(made.exit_code == 0);
  struct stat st {};
  REQUIRE(::stat((dir / "kt-signing.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(run_server_command({"admin", "kt", "new-keys", "--out", dir.string()}).exit_code == 1);

  test_database db;
  auto env = kt_env();
  env["SEALPOST_KT_SIGNING_KEY_FILE"] = (dir / "kt-signing.key").string();
  env["SEALPOST_KT_VRF_KEY_FILE"] = (dir / "kt-vrf.key").string();
  {
    server_process server(db.url(), env);
    auto config = http_client(server.port()).get("/v1/kt/config");
    REQUIRE(config.status == 200);
    const std::string signing(config.json().at("signature_public_key").as_string());
    CHECK(made.output.find(signing) != std::string::npos);
    register_with_kt(server.port());
  }
  CHECK(scalar(db.url(), "SELECT count(*) FROM kt_config WHERE signing_key IS NULL") == 1);
  const auto shown = admin_kt(db.url(), {"show"});
  CHECK(shown.exit_code == 0);
  CHECK(shown.output.find("fingerprint") != std::string::npos);
  CHECK(shown.output.find("operator's files") != std::string::npos);

  // Other keys than the log's: the node refuses to start, naming the configuration.
  const fs::path other = dir / "other";
  REQUIRE(run_server_command({"admin", "kt", "new-keys", "--out", other.string()}).exit_code == 0);
  auto wrong = env;
  wrong["SEALPOST_KT_SIGNING_KEY_FILE"] = (other / "kt-signing.key").string();
  wrong["SEALPOST_KT_VRF_KEY_FILE"] = (other / "kt-vrf.key").string();
  CHECK_THROWS(server_process(db.url(), wrong));

  // A rewritten entry no longer verifies.
  CHECK(admin_kt(db.url(), {"verify"}).exit_code == 0);
  {
    pqxx::connection conn(db.url());
    pqxx::nontransaction tx(conn);
    tx.exec0("UPDATE kt_entries SET timestamp_ms = timestamp_ms + 1 WHERE position = 0");
  }
  const auto tampered = admin_kt(db.url(), {"verify"});
  CHECK(tampered.exit_code == 1);
  CHECK(tampered.output.find("MISMATCH") != std::string::npos);
  fs::remove_all(dir);
}
