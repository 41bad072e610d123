// Sealed sender end to end (DESIGN.md, "Sealed sender"): two users chat sealed by default once
// each holds the other's access key, and the server's database and log keep no sender of a
// sealed message; the receiver refuses a sealed message whose certificate was tampered with,
// has expired, or names another identity than the one that sealed it.
#include <csignal>
#include <pqxx/pqxx>

#include "core/errors.hpp"
#include "crypto/identity_key.hpp"
#include "crypto/signing_key.hpp"
#include "crypto/x25519.hpp"
#include "e2e_support.hpp"
#include "http_client.hpp"
#include "net/api_client.hpp"
#include "net/server_address.hpp"
#include "protocol/prekey.hpp"
#include "protocol/protocol_error.hpp"
#include "protocol/sealed_sender_v1.hpp"
#include "sealed_sender/certificates.hpp"

using namespace sealpost::e2e;
namespace crypto = sealpost::client::crypto;
namespace net = sealpost::client::net;
namespace protocol = sealpost::client::protocol;

namespace {

long long count_rows(const std::string& url, const std::string& sql, const std::string& account) {
  pqxx::connection conn(url);
  pqxx::work tx(conn);
  return tx.exec_params1(sql, account)[0].as<long long>();
}

long long sealed_queued_for(const std::string& url, const std::string& account) {
  return count_rows(url,
                    "SELECT count(*) FROM messages WHERE account_id = $1 AND type = 6 AND "
                    "source_account IS NULL AND source_device IS NULL",
                    account);
}

long long identified_queued_for(const std::string& url, const std::string& account) {
  return count_rows(url,
                    "SELECT count(*) FROM messages WHERE account_id = $1 AND "
                    "source_account IS NOT NULL",
                    account);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A device registered with raw API calls, whose identity key the test holds: it seals
// messages by hand, with certificates of its choice.
struct raw_device {
  crypto::identity_key_pair identity = crypto::generate_identity();
  net::api_client api;
  std::string account_id;

  raw_device(const environment& env, const std::string& username)
      : api(net::parse_server_url(env.url())) {
    net::new_device_request request;
    request.password = "the raw device's password, 32 chars";
    request.registration_id = 77;
    request.identity_key.assign(identity.public_key.begin(), identity.public_key.end());
    const crypto::x25519_key_pair prekey = crypto::x25519_generate();
    const protocol::signed_prekey_public signed_prekey =
        protocol::make_signed_prekey(identity, 1, prekey.public_key);
    request.signed_prekey = {signed_prekey.key_id, signed_prekey.public_key,
                             signed_prekey.signature};
    account_id = api.register_account(username, request).account_id;
    api.set_login({account_id, 1, request.password});
  }

  // `content` sealed by `sealer` for `recipient` (typed identity key), with `certificate`
  // inside; the inner message is not a session message, so it can never decrypt.
  static std::vector<std::uint8_t> seal(const crypto::identity_key_pair& sealer,
                                        const crypto::typed_public_key& recipient,
                                        const std::vector<std::uint8_t>& certificate) {
    const std::vector<std::uint8_t> usmc = protocol::encode_sealed_sender_content(
        {protocol::sealed_content_type::message, certificate, std::vector<std::uint8_t>(48, 0x42),
         std::nullopt, std::nullopt});
    const auto recipient_dh = crypto::identity_dh_public_key(recipient);
    REQUIRE(recipient_dh.has_value());
    auto sealed = protocol::seal_sealed_sender_v1(recipient, *recipient_dh, sealer.public_key,
                                                  crypto::identity_dh_private_key(sealer), usmc);
    REQUIRE(sealed.has_value());
    return std::move(*sealed);
  }

  void send_sealed(const std::string& to_account, std::uint32_t registration_id,
                   std::vector<std::uint8_t> content) {
    const std::vector<net::outgoing_envelope> messages{
        {1, registration_id, net::unidentified_sender_type, std::move(content)}};
    // The recipient allows anyone (unrestricted): any 16-byte key will do.
    const std::vector<std::uint8_t> any_key(16, 0x00);
    api.send_sealed_messages(to_account, 1, messages, any_key);
  }
};

// A sender certificate for `device` that the server key of the deployment signed, expired.
std::vector<std::uint8_t> expired_certificate(const std::string& url, const raw_device& device) {
  pqxx::connection conn(url);
  pqxx::work tx(conn);
  const pqxx::row keys = tx.exec1(
      "SELECT encode(server_certificate, 'hex'), server_private_key FROM sealed_sender_keys");
  const std::string hex = keys[0].as<std::string>();
  std::vector<std::uint8_t> server_certificate;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    server_certificate.push_back(
        static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  const auto server_key = sealpost::crypto::signing_key::from_pem(keys[1].as<std::string>());
  const auto now =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  return sealpost::sealed_sender::issue_sender_certificate(
      {device.account_id, 1, device.identity.public_key}, now - 1000, server_certificate,
      server_key);
}

std::size_t notices_of(const device& d, client::notice::kind kind, const std::string& detail) {
  std::size_t n = 0;
  for (const client::notice& notice : d.notices) {
    n += notice.what == kind && notice.detail == detail ? 1 : 0;
  }
  return n;
}

}  // namespace

TEST_CASE("e2e: Alice and Bob chat sealed by default and the server keeps no sender",
          "[e2e][sealed_sender]") {
  environment env(std::map<std::string, std::string>{{"SEALPOST_LOG_LEVEL", "debug"}});
  const std::string alice = unique_name("alice");
  const std::string bob = unique_name("bob");
  device a("alice", client::messenger::register_account(env.config("alice"), alice));
  device b("bob", client::messenger::register_account(env.config("bob"), bob));
  const std::string alice_id = a.messenger.account_id();
  const std::string bob_id = b.messenger.account_id();

  // The first message is identified: Alice does not hold Bob's access key yet. It carries
  // Alice's profile key, so Bob's answer goes sealed, and so does everything after it.
  CHECK_FALSE(a.messenger.send(bob, "hello bob").sealed);
  REQUIRE(b.receive_until(1) == 1);
  CHECK_FALSE(b.messages[0].sealed);
  CHECK(b.messenger.privacy().contacts_with_access_key == 1);

  const client::send_report answer = b.messenger.send(alice, "hello alice, sealed");
  CHECK(answer.sealed);
  CHECK(sealed_queued_for(env.db.url(), alice_id) == 1);
  CHECK(identified_queued_for(env.db.url(), alice_id) == 0);
  REQUIRE(a.receive_until(1) == 1);
  CHECK(a.messages[0].sealed);
  CHECK(a.messages[0].text == "hello alice, sealed");
  CHECK(a.messages[0].peer_account == bob_id);
  CHECK(a.messages[0].peer_username == bob);

  for (int i = 0; i < 3; ++i) {
    CHECK(a.messenger.send(bob, "sealed " + std::to_string(i)).sealed);
  }
  CHECK(sealed_queued_for(env.db.url(), bob_id) == 3);
  CHECK(identified_queued_for(env.db.url(), bob_id) == 0);
  REQUIRE(b.receive_until(4) == 4);
  for (std::size_t i = 1; i < 4; ++i) {
    CHECK(b.messages[i].sealed);
    CHECK(b.messages[i].peer_account == alice_id);
  }
  CHECK(b.received["sealed 2"] == 1);

  // The server logged every request (debug), and none of its lines names a sender: the
  // account ids and usernames appear nowhere in the log.
  const std::string log = env.server.log_tail(std::size_t{1} << 24);
  CHECK(contains(log, R"("method":"PUT","route":"/v1/messages/{account_id}","status":200)"));
  for (const std::string& name : {alice_id, bob_id, alice, bob}) {
    INFO("log names " << name);
    CHECK_FALSE(contains(log, name));
  }
}

TEST_CASE(
    "e2e: a sealed message with a tampered, expired or foreign certificate is dropped with a "
    "notice",
    "[e2e][sealed_sender]") {
  environment env;
  device b("bob", client::messenger::register_account(env.config("bob"), unique_name("bob")));
  b.messenger.change_privacy({.unrestricted = true});
  raw_device mallory(env, unique_name("mallory"));
  const crypto::identity_key_pair stranger = crypto::generate_identity();
  const crypto::typed_public_key bob_key = b.messenger.identity_key();
  const std::uint32_t bob_registration =
      mallory.api.list_devices(b.messenger.account_id())[0].registration_id;
  const auto send = [&](const crypto::identity_key_pair& sealer,
                        const std::vector<std::uint8_t>& certificate) {
    mallory.send_sealed(b.messenger.account_id(), bob_registration,
                        raw_device::seal(sealer, bob_key, certificate));
  };
  const std::string untrusted(protocol::describe(protocol::protocol_error::untrusted_certificate));
  const std::string expired(protocol::describe(protocol::protocol_error::expired_certificate));

  // A good certificate passes the sealed layer; the inner message then fails like any
  // undecryptable one, from the sender the certificate names. This shows the refusals below
  // are the certificate's.
  send(mallory.identity, mallory.api.get_delivery_certificate().certificate);
  b.receive_for(std::chrono::milliseconds(1500));
  REQUIRE(b.notices.size() == 1);
  CHECK(b.notices[0].what == client::notice::kind::undecryptable);
  CHECK(b.notices[0].account_id == mallory.account_id);

  // Tampered: one bit of the server's signature at the end of the certificate.
  std::vector<std::uint8_t> tampered = mallory.api.get_delivery_certificate().certificate;
  tampered.back() ^= 0x01;
  send(mallory.identity, tampered);
  // Foreign: Mallory's valid certificate, but sealed by another identity key.
  send(stranger, mallory.api.get_delivery_certificate().certificate);
  b.receive_for(std::chrono::milliseconds(1500));
  CHECK(notices_of(b, client::notice::kind::sealed_refused, untrusted) == 2);

  // Expired: signed by the deployment's own server key (auto mode keeps it in the database),
  // for Mallory's device and key, but with an expiry a second before now.
  send(mallory.identity, expired_certificate(env.db.url(), mallory));
  b.receive_for(std::chrono::milliseconds(1500));
  CHECK(notices_of(b, client::notice::kind::sealed_refused, expired) == 1);
  CHECK(b.messages.empty());
  CHECK(b.notices.size() == 4);
}

TEST_CASE("e2e: a replaced trust root stops sealed sending until the user pins the new one",
          "[e2e][sealed_sender]") {
  environment env;
  const std::string alice = unique_name("alice");
  const std::string bob = unique_name("bob");
  {
    // Alice registers and pins the deployment's first root.
    device first("alice", client::messenger::register_account(env.config("alice"), alice));
    CHECK(first.messenger.privacy().trust_root_pinned);
  }
  // The operator replaces the keys: auto mode makes a new root when the row is gone.
  REQUIRE(env.server.stop(SIGTERM) != -1);
  {
    pqxx::connection conn(env.db.url());
    pqxx::work tx(conn);
    tx.exec0("DELETE FROM sealed_sender_keys");
    tx.commit();
  }
  env.server.restart();
  device a("alice", client::messenger::open(env.config("alice")));  // the server's new port
  device b("bob", client::messenger::register_account(env.config("bob"), bob));

  // Bob's first message gives Alice his access key; her answer would go sealed, but the
  // server's certificate no longer chains to the root she pinned: nothing is sent.
  b.messenger.send(alice, "hi alice");
  REQUIRE(a.receive_until(1) == 1);
  CHECK_THROWS_AS(a.messenger.send(bob, "sealed?"), client::trust_root_changed_error);
  CHECK(b.receive_for(std::chrono::milliseconds(500)) == 0);

  // Once she accepts the new root, sealed sending works again, and Bob accepts it.
  a.messenger.change_privacy({.pin_new_root = true});
  CHECK(a.messenger.send(bob, "sealed now").sealed);
  REQUIRE(b.receive_until(1) == 1);
  CHECK(b.messages[0].sealed);
  CHECK(b.messages[0].text == "sealed now");
}

namespace {

// sealpost_delivery_certificates_issued_total from the server's /metrics.
long certificates_issued(const environment& env) {
  sealpost::testing::http_client admin(env.server.admin_port());
  const std::string metrics = admin.get("/metrics").body;
  const std::string name = "sealpost_delivery_certificates_issued_total ";
  const auto at = metrics.find("\n" + name);
  REQUIRE(at != std::string::npos);
  return std::stol(metrics.substr(at + 1 + name.size()));
}

// Alice sends `count` sealed messages to Bob (after one identified exchange that gives her
// his access key) and returns how many delivery certificates the server issued meanwhile.
long certificates_for_sealed_sends(environment& env, int count) {
  device a("alice", client::messenger::register_account(env.config("alice"), unique_name("al")));
  device b("bob", client::messenger::register_account(env.config("bob"), unique_name("bo")));
  a.messenger.send(b.messenger.username(), "hello bob");
  REQUIRE(b.receive_until(1) == 1);
  b.messenger.send(a.messenger.username(), "hello alice");
  REQUIRE(a.receive_until(1) == 1);
  const long before = certificates_issued(env);
  for (int i = 0; i < count; ++i) {
    CHECK(a.messenger.send(b.messenger.username(), "sealed").sealed);
  }
  return certificates_issued(env) - before;
}

}  // namespace

TEST_CASE("e2e: a delivery certificate is kept while valid and renewed before it expires",
          "[e2e][sealed_sender]") {
  SECTION("a day-long certificate serves every send") {
    environment env;
    CHECK(certificates_for_sealed_sends(env, 3) == 1);
  }
  SECTION("one that expires within the renewal margin (1 h) is fetched again for each send") {
    environment env(
        std::map<std::string, std::string>{{"SEALPOST_SEALED_SENDER_CERTIFICATE_TTL_MS", "60000"}});
    CHECK(certificates_for_sealed_sends(env, 3) == 3);
  }
}
