// Sealed sender, multi-recipient sends (DESIGN.md, "Multi-recipient send"): libsignal's
// SSv2 body fanned out to every recipient device in one transaction, byte for byte as
// "what each device gets" says, and refused as a whole, listing every account concerned.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "api_client.hpp"
#include "crypto/base64.hpp"
#include "database_probe.hpp"
#include "server_process.hpp"
#include "test_database.hpp"
#include "ws_client.hpp"

using namespace sealpost::testing;
namespace json = boost::json;

namespace {

using bytes = std::string;  // raw bytes

bytes uuid_bytes(const std::string& text) {
  bytes out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '-')
      continue;
    out.push_back(static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16)));
    ++i;
  }
  return out;
}

struct device_entry {
  int id;
  int registration_id = 1234;
};

// Writes an SSv2 body: version, count, the entries, then the shared part.
class mrm_body {
 public:
  explicit mrm_body(std::uint8_t version) : version_(version) {}

  mrm_body& include(const std::string& account, const std::vector<device_entry>& devices,
                    char key_fill) {
    bytes e = recipient(account);
    for (std::size_t i = 0; i < devices.size(); ++i) {
      const int word = devices[i].registration_id | (i + 1 < devices.size() ? 0x8000 : 0);
      e.push_back(static_cast<char>(devices[i].id));
      e.push_back(static_cast<char>(word >> 8));
      e.push_back(static_cast<char>(word & 0xFF));
    }
    e += key_material(key_fill);
    entries_.push_back(e);
    return *this;
  }
  mrm_body& exclude(const std::string& account) {
    entries_.push_back(recipient(account) + bytes(1, '\0'));
    return *this;
  }
  static bytes key_material(char fill) { return bytes(48, fill); }
  static bytes shared() {
    bytes s;
    for (int i = 0; i < 80; ++i)
      s.push_back(static_cast<char>(0xA0 + i));
    return s;
  }
  bytes build() const {
    bytes out(1, static_cast<char>(version_));
    out.push_back(static_cast<char>(entries_.size()));  // fewer than 128: one varint byte
    for (const auto& e : entries_)
      out += e;
    return out + shared();
  }

 private:
  bytes recipient(const std::string& account) const {
    return (version_ == 0x23 ? bytes(1, '\0') : bytes()) + uuid_bytes(account);
  }
  std::uint8_t version_;
  std::vector<bytes> entries_;
};

// What each device of an account gets: 0x22 || C || AT || shared.
bytes expected_content(char key_fill) {
  return "\x22" + mrm_body::key_material(key_fill) + mrm_body::shared();
}

bytes xor_keys(const std::vector<bytes>& keys) {
  bytes out(16, '\0');
  for (const auto& k : keys) {
    for (std::size_t i = 0; i < 16; ++i)
      out[i] = static_cast<char>(out[i] ^ k[i]);
  }
  return out;
}

http_result send_multi(std::uint16_t port, const bytes& body, const bytes& access_key,
                       const std::string& query = "?timestamp=1700000000000",
                       std::map<std::string, std::string> headers = {}) {
  headers["Unidentified-Access-Key"] = b64(access_key);
  headers["Content-Type"] = "application/vnd.signal-messenger.mrm";
  return http_client(port).request(http::verb::put, "/v1/messages/multi_recipient" + query, body,
                                   headers);
}

// An account with an access key (or unrestricted) whose devices share one identity key, as
// Signal-style clients have: device 2 is linked with the primary's identity.
struct account {
  test_identity id;
  device_login primary, second;
  bytes key;

  account(std::uint16_t port, bytes access_key, bool unrestricted = false, bool two_devices = true,
          bool same_identity = true)
      : key(std::move(access_key)) {
    auto body = id.registration(unique_username("mrm"), random_password(), 2);
    if (!key.empty())
      body["unidentified_access_key"] = b64(key);
    body["unrestricted_unidentified_access"] = unrestricted;
    const auto res =
        http_client(port).request(http::verb::post, "/v1/accounts", json::serialize(body));
    REQUIRE(res.status == 201);
    primary = {std::string(res.json().at("account_id").as_string()), 1,
               std::string(body.at("password").as_string())};
    if (two_devices) {
      api_client p(port, primary);
      const test_identity other;
      second = link_device(port, p, same_identity ? id : other, 2);
    }
  }
  const std::string& id_text() const { return primary.account_id; }
};

std::string error_code(const http_result& r) {
  return std::string(r.json().at("error").as_string());
}

std::vector<std::string> accounts_listed(const http_result& r) {
  std::vector<std::string> out;
  const auto body = r.json();
  for (const auto& a : body.at("accounts").as_array())
    out.emplace_back(a.at("account_id").as_string());
  return out;
}

}  // namespace

TEST_CASE("multi-recipient send: every device gets 0x22 || C || AT || shared, in one commit",
          "[sealed_sender][messages]") {
  test_database db;
  server_process server(db.url());
  const auto version = GENERATE(std::uint8_t{0x23}, std::uint8_t{0x22});
  account bob(server.port(), bytes(16, '\x11'));
  account carol(server.port(), bytes(), /*unrestricted=*/true, /*two_devices=*/false);
  const std::string nobody = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f";  // excluded: need not exist

  const auto body = mrm_body(version)
                        .include(bob.id_text(), {{1}, {2}}, 'B')
                        .exclude(nobody)
                        .include(carol.id_text(), {{1}}, 'C')
                        .build();
  // carol is unrestricted: only bob's key is part of the XOR.
  const auto r = send_multi(server.port(), body, xor_keys({bob.key}));
  REQUIRE(r.status == 200);
  const auto answer = r.json();
  const auto& results = answer.at("results").as_array();
  REQUIRE(results.size() == 3);
  CHECK(results[0].at("account_id").as_string() == bob.id_text());
  CHECK(results[0].at("device_id") == 1);
  CHECK(results[1].at("device_id") == 2);
  CHECK(results[2].at("account_id").as_string() == carol.id_text());

  for (const auto& [login, fill] :
       {std::pair{bob.primary, 'B'}, std::pair{bob.second, 'B'}, std::pair{carol.primary, 'C'}}) {
    const auto polled = api_client(server.port(), login).get("/v1/messages");
    const auto polled_body = polled.json();
    const auto& queued = polled_body.at("messages").as_array();
    REQUIRE(queued.size() == 1);
    const auto content =
        sealpost::crypto::base64_decode(std::string(queued[0].at("content").as_string()));
    REQUIRE(content);
    CHECK(bytes(content->begin(), content->end()) == expected_content(fill));
    CHECK(queued[0].at("type") == 6);
    CHECK(queued[0].at("source_account").is_null());
    CHECK(queued[0].at("client_timestamp") == 1700000000000LL);
    CHECK(queued[0].at("server_timestamp") == answer.at("server_timestamp"));
  }
  database_probe probe(db.url());
  CHECK(probe.scalar("SELECT count(*) FROM messages WHERE source_account IS NOT NULL") == 0);
}

TEST_CASE("multi-recipient send: online_only keeps only the devices with a socket open",
          "[sealed_sender][messages]") {
  test_database db;
  server_process server(db.url());
  account bob(server.port(), bytes(16, '\x11'));
  ws_client online(server.port(), bob.second);
  CHECK(drain_until_queue_empty(online).empty());
  const auto body = mrm_body(0x23).include(bob.id_text(), {{1}, {2}}, 'B').build();
  const auto r =
      send_multi(server.port(), body, bob.key, "?timestamp=1700000000000&online_only=true");
  REQUIRE(r.status == 200);
  const auto answer = r.json();
  REQUIRE(answer.at("results").as_array().size() == 1);
  CHECK(answer.at("results").as_array()[0].at("device_id") == 2);
  const auto frame = online.next();
  REQUIRE(frame.has_value());
  CHECK(frame->delivery().content() == expected_content('B'));
}

TEST_CASE("multi-recipient send: refusals in DESIGN.md's order, each storing nothing",
          "[sealed_sender][messages]") {
  test_database db;
  server_process server(db.url(), {{"SEALPOST_MESSAGES_MAX_MULTI_RECIPIENTS", "3"},
                                   {"SEALPOST_MESSAGES_MAX_QUEUE_PER_DEVICE", "1"}});
  account bob(server.port(), bytes(16, '\x11'));
  account dave(server.port(), bytes(16, '\x22'));
  account closed(server.port(), bytes(), false, false);  // restricted, no key
  account mixed(server.port(), bytes(16, '\x33'), false, true, /*same_identity=*/false);
  database_probe probe(db.url());
  const auto both_key = xor_keys({bob.key, dave.key});
  const auto good = mrm_body(0x23)
                        .include(bob.id_text(), {{1}, {2}}, 'B')
                        .include(dave.id_text(), {{1}, {2}}, 'D')
                        .build();

  SECTION("headers and query") {
    auto r = send_multi(server.port(), good, both_key, "?timestamp=1",
                        {{"Authorization", basic_auth(bob.id_text(), 1, bob.primary.password)}});
    CHECK(r.status == 400);
    r = http_client(server.port())
            .request(http::verb::put, "/v1/messages/multi_recipient?timestamp=1", good);
    CHECK(r.status == 401);
    for (const std::string query : {"", "?online_only=true", "?timestamp=1&x=2", "?timestamp=-1",
                                    "?timestamp=1&online_only=yes", "?timestamp=1&timestamp=2"}) {
      INFO(query);
      CHECK(send_multi(server.port(), good, both_key, query).status == 400);
    }
  }
  SECTION("the body") {
    auto r = send_multi(server.port(), good.substr(0, good.size() - 60), both_key);
    CHECK(r.status == 400);
    CHECK(error_code(r) == "invalid_request");
    const auto four = mrm_body(0x23)
                          .include(bob.id_text(), {{1}}, 'B')
                          .exclude(dave.id_text())
                          .exclude(closed.id_text())
                          .exclude(mixed.id_text())
                          .build();
    r = send_multi(server.port(), four, bob.key);
    CHECK(r.status == 413);
    CHECK(error_code(r) == "too_many_items");
  }
  SECTION("every refused key gets the same 401") {
    const auto unknown = mrm_body(0x23)
                             .include(bob.id_text(), {{1}, {2}}, 'B')
                             .include("6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f", {{1}}, 'U')
                             .build();
    const auto no_key = mrm_body(0x23)
                            .include(bob.id_text(), {{1}, {2}}, 'B')
                            .include(closed.id_text(), {{1}}, 'X')
                            .build();
    const std::vector<http_result> refusals = {
        send_multi(server.port(), good, bob.key),  // dave's key missing from the XOR
        send_multi(server.port(), good, bytes(16, '\0')),
        send_multi(server.port(), unknown, bob.key),
        send_multi(server.port(), no_key, bob.key),
    };
    for (const auto& r : refusals) {
      CHECK(r.status == 401);
      CHECK(r.json() == refusals.front().json());
    }
  }
  SECTION("409 lists every account whose devices differ, before 410") {
    const auto body = mrm_body(0x23)
                          .include(bob.id_text(), {{1}}, 'B')            // 2 missing
                          .include(dave.id_text(), {{1, 99}, {2}}, 'D')  // stale
                          .build();
    auto r = send_multi(server.port(), body, both_key);
    CHECK(r.status == 409);
    CHECK(error_code(r) == "mismatched_devices");
    CHECK(accounts_listed(r) == std::vector<std::string>{bob.id_text()});
    CHECK(r.json().at("accounts").as_array()[0].at("missing_devices") == json::array{2});
    const auto stale_only = mrm_body(0x23)
                                .include(bob.id_text(), {{1, 98}, {2, 97}}, 'B')
                                .include(dave.id_text(), {{1, 99}, {2}}, 'D')
                                .build();
    r = send_multi(server.port(), stale_only, both_key);
    CHECK(r.status == 410);
    CHECK(accounts_listed(r) == std::vector<std::string>{bob.id_text(), dave.id_text()});
    CHECK(r.json().at("accounts").as_array()[0].at("stale_devices") == json::array{1, 2});
  }
  SECTION("devices with different identity keys: 409 identity_keys_differ, then 507") {
    const auto body = mrm_body(0x23)
                          .include(bob.id_text(), {{1}, {2}}, 'B')
                          .include(mixed.id_text(), {{1}, {2}}, 'M')
                          .build();
    auto r = send_multi(server.port(), body, xor_keys({bob.key, mixed.key}));
    CHECK(r.status == 409);
    CHECK(error_code(r) == "identity_keys_differ");
    CHECK(accounts_listed(r) == std::vector<std::string>{mixed.id_text()});
    REQUIRE(send_multi(server.port(), good, both_key).status == 200);
    r = send_multi(server.port(), good, both_key);
    CHECK(r.status == 507);
    CHECK(error_code(r) == "queue_full");
    CHECK(probe.scalar("SELECT count(*) FROM messages") == 4);
    return;
  }
  CHECK(probe.scalar("SELECT count(*) FROM messages") == 0);
}
