// Key transparency from the reference client (DESIGN.md, "Reference client: what it checks"):
// a device pins the log's configuration, checks every new head against the view it kept, and
// when the server misbehaves (simulated with SQL on the test database: a head signed over
// another root) it reports a log-level failure and keeps the conflicting answers as
// evidence, until a later check passes.
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <pqxx/pqxx>

#include "core/errors.hpp"
#include "e2e_support.hpp"
#include "encoding/base64.hpp"
#include "http_client.hpp"

using namespace sealpost::e2e;

namespace {

std::string sha256_hex(std::span<const std::uint8_t> data) {
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  REQUIRE(EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) == 1);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < size; ++i) {
    out += digits[digest[i] >> 4];
    out += digits[digest[i] & 0x0F];
  }
  return out;
}

void exec(const std::string& url, const std::string& sql) {
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  tx.exec0(sql);
}

// A device as a compromised server would add it to an account: straight into the table.
void insert_device(pqxx::work& tx, const std::string& account_id, int device_id,
                   int registration_id, const client::crypto::typed_public_key& key) {
  tx.exec_params(
      "INSERT INTO devices (account_id, device_id, registration_id, identity_key, "
      "password_salt, password_hash) VALUES ($1, $2, $3, $4, '\\x00', '\\x00')",
      account_id, device_id, registration_id, pqxx::binarystring(key.data(), key.size()));
}

}  // namespace

TEST_CASE("e2e: a device pins the key-transparency log and reports a head it cannot verify",
          "[e2e][kt]") {
  const std::map<std::string, std::string> fast_log{{"SEALPOST_KT_BATCH_INTERVAL_MS", "20"},
                                                    {"SEALPOST_KT_CONFIRM_WAIT_MS", "5000"}};
  environment env(fast_log);
  device a("alice", client::messenger::register_account(env.config("alice"), unique_name("alice")));
  CHECK_FALSE(a.messenger.key_transparency_status().pinned);

  const client::kt_check_report first = a.messenger.check_key_transparency();
  REQUIRE(first.server_has_kt);
  REQUIRE(first.failure.empty());
  CHECK(first.pinned_now);
  CHECK(first.tree_size >= 2);  // the first heartbeat and Alice's registration

  // The pin is the configuration the operator's `admin kt show` fingerprints.
  const auto config = sealpost::testing::http_client(env.server.port()).get("/v1/kt/config").json();
  const auto configuration =
      sealpost::encoding::base64_decode(std::string(config.at("configuration").as_string()));
  REQUIRE(configuration);
  CHECK(a.messenger.key_transparency_status().fingerprint == sha256_hex(*configuration));

  // More entries: the next check proves the new log extends the one Alice kept.
  device b("bob", client::messenger::register_account(env.config("bob"), unique_name("bob")));
  const client::kt_check_report second = a.messenger.check_key_transparency();
  REQUIRE(second.failure.empty());
  CHECK_FALSE(second.pinned_now);
  CHECK(second.tree_size > first.tree_size);

  // The server signs its newest head over another root (here: its signature is replaced).
  exec(env.db.url(),
       "UPDATE kt_entries SET signature = set_byte(signature, 0, get_byte(signature, 0) # 1) "
       "WHERE position = (SELECT max(position) FROM kt_entries)");
  const client::kt_check_report forged = a.messenger.check_key_transparency();
  CHECK_FALSE(forged.failure.empty());
  client::kt_status status = a.messenger.key_transparency_status();
  CHECK(status.failure == forged.failure);
  CHECK(status.tree_size == second.tree_size);  // nothing of the failed answer was kept
  CHECK(status.evidence == 2);                  // the head Alice had, and the one that failed
  const auto evidence = boost::json::parse(a.messenger.key_transparency_evidence());
  REQUIRE(evidence.as_array().size() == 2);
  CHECK(evidence.as_array()[1].at("proof").at("head").at("tree_size").as_int64() >=
        static_cast<std::int64_t>(second.tree_size));

  // The failure stays until a check passes: the operator repairs the head.
  exec(env.db.url(),
       "UPDATE kt_entries SET signature = set_byte(signature, 0, get_byte(signature, 0) # 1) "
       "WHERE position = (SELECT max(position) FROM kt_entries)");
  const client::kt_check_report repaired = a.messenger.check_key_transparency();
  CHECK(repaired.failure.empty());
  status = a.messenger.key_transparency_status();
  CHECK(status.failure.empty());
  CHECK(status.evidence == 2);  // evidence is kept
}

TEST_CASE("e2e: a log the server rewrites and signs again is a log-level failure with evidence",
          "[e2e][kt]") {
  environment env;
  device a("alice", client::messenger::register_account(env.config("alice"), unique_name("alice")));
  device b("bob", client::messenger::register_account(env.config("bob"), unique_name("bob")));
  REQUIRE(kt_published(env.db.url()));
  const client::kt_check_report before = a.messenger.check_key_transparency();
  INFO(before.failure);
  REQUIRE(before.failure.empty());

  // The server drops its newest entry (Bob's registration) as if it never happened, and
  // appends another in its place, signed with its own key: every head it serves verifies on
  // its own, but the log is not the one Alice saw.
  {
    pqxx::connection conn(env.db.url());
    pqxx::work tx(conn);
    const auto newest = tx.exec1("SELECT max(position) FROM kt_entries")[0].as<std::int64_t>();
    tx.exec_params("DELETE FROM kt_entries WHERE position >= $1", newest);
    tx.exec_params("DELETE FROM kt_versions WHERE position >= $1", newest);
    tx.exec_params("DELETE FROM kt_prefix_nodes WHERE position >= $1", newest);
    tx.exec_params("DELETE FROM kt_log_nodes WHERE (idx + 1) * (1::bigint << level) > $1", newest);
    tx.commit();
  }
  device c("carol", client::messenger::register_account(env.config("carol"), unique_name("carol")));
  REQUIRE(kt_published(env.db.url()));

  const client::kt_check_report after = a.messenger.check_key_transparency();
  INFO(after.failure);
  // The head is genuinely signed, but over a root that Alice's retained subtrees do not lead
  // to: for the log she kept, it is a head that does not verify.
  CHECK(after.failure.find("rewritten or forked") != std::string::npos);
  const client::kt_status status = a.messenger.key_transparency_status();
  CHECK(status.tree_size == before.tree_size);  // nothing of the new log was kept
  CHECK(status.evidence == 2);  // the head Alice had, and the one that conflicts with it
}

TEST_CASE("e2e: a bundle with a key the log does not prove is refused with kt_device_unverified",
          "[e2e][kt]") {
  environment env;
  device a("alice", client::messenger::register_account(env.config("alice"), unique_name("alice")));
  const std::string bob = unique_name("bob");
  device b("bob", client::messenger::register_account(env.config("bob"), bob));
  // The device list Alice sees for safety numbers is checked against the log too.
  const auto published = a.messenger.safety_numbers(bob);
  REQUIRE(published.size() == 1);
  CHECK_FALSE(published[0].not_in_log);

  // A compromised server hands out a key of its own for Bob's device (here Alice's own key,
  // a valid one) without publishing it.
  const client::crypto::typed_public_key substitute = a.messenger.identity_key();
  {
    pqxx::connection conn(env.db.url());
    pqxx::nontransaction tx(conn);
    tx.exec_params("UPDATE devices SET identity_key = $1 WHERE account_id = $2",
                   pqxx::binarystring(substitute.data(), substitute.size()),
                   b.messenger.account_id());
  }
  CHECK_THROWS_AS(a.messenger.send(bob, "for bob only"), client::kt_device_unverified_error);
  try {
    a.messenger.send(bob, "for bob only");
  } catch (const client::kt_device_unverified_error& e) {
    CHECK(std::string(e.what()).find("kt_device_unverified") != std::string::npos);
  }
  CHECK(b.receive_for(std::chrono::milliseconds(300)) == 0);

  // Until the user compares safety numbers and marks that key verified: then the user's
  // own check stands in for the log's (DESIGN.md, "What the user sees"). Here the key gets
  // past the log; the bundle's own signature (made with Bob's real key) still fails.
  const auto numbers = a.messenger.safety_numbers(bob);
  REQUIRE(numbers.size() == 1);
  CHECK(numbers[0].changed);
  CHECK(numbers[0].not_in_log);  // the list shows a key the log does not: searched, unproven
  a.messenger.verify(bob);
  try {
    a.messenger.send(bob, "verified in person");
    FAIL("a bundle signed by another key was accepted");
  } catch (const client::kt_device_unverified_error& e) {
    FAIL("still refused by the log check: " << e.what());
  } catch (const client::net::transport_error& e) {
    CHECK(std::string(e.what()).find("signed prekey signature does not verify") !=
          std::string::npos);
  }
}

TEST_CASE("e2e: a device linked behind the owner's back shows in the owner's kt check",
          "[e2e][kt]") {
  environment env;
  device a("alice", client::messenger::register_account(env.config("alice"), unique_name("alice")));
  client::kt_check_report report = a.messenger.check_key_transparency();
  INFO(report.failure);
  REQUIRE(report.failure.empty());
  CHECK(report.own_changes.empty());  // the registration is the history this device adopts
  CHECK(report.alerts.empty());

  // The server adds a device of its own to Alice's account and publishes it (a server that
  // did not publish it could not get contacts to encrypt to it).
  {
    pqxx::connection conn(env.db.url());
    pqxx::work tx(conn);
    insert_device(tx, a.messenger.account_id(), 5, 777, a.messenger.identity_key());
    tx.exec_params("INSERT INTO kt_pending (label) VALUES ('\\x01'::bytea || uuid_send($1))",
                   a.messenger.account_id());
    tx.commit();
  }
  REQUIRE(kt_published(env.db.url()));
  report = a.messenger.check_key_transparency();
  REQUIRE(report.failure.empty());
  REQUIRE(report.own_changes.size() == 1);
  CHECK(report.own_changes[0].find("device 5 was linked to your account") != std::string::npos);
  CHECK(report.alerts.empty());
  // Reported once: the next check has nothing new.
  CHECK(a.messenger.check_key_transparency().own_changes.empty());

  // A device the server lists but never published is marked in Alice's device list, after a
  // search of her account; the published ones are not.
  {
    pqxx::connection conn(env.db.url());
    pqxx::work tx(conn);
    insert_device(tx, a.messenger.account_id(), 6, 778, a.messenger.identity_key());
    tx.commit();
  }
  std::map<std::uint32_t, bool> not_in_log;
  for (const client::device_info& d : a.messenger.devices()) {
    not_in_log[d.device_id] = d.not_in_log;
  }
  CHECK(not_in_log == std::map<std::uint32_t, bool>{{1, false}, {5, false}, {6, true}});
}

TEST_CASE("e2e: kt check follows a contact's entries up the log and reports a rewritten history",
          "[e2e][kt]") {
  environment env;
  device a("alice", client::messenger::register_account(env.config("alice"), unique_name("alice")));
  const std::string bob = unique_name("bob");
  device b("bob", client::messenger::register_account(env.config("bob"), bob));

  // The first send searches Bob's account. His registration is the newest entry, right of the
  // root, so the search's terminal entry is not distinguished: it goes into the contact map,
  // which monitoring follows until a distinguished entry covers it.
  a.messenger.send(bob, "hello");
  client::kt_status status = a.messenger.key_transparency_status();
  CHECK(status.proven_accounts == 1);
  CHECK(status.proven_usernames == 1);  // "bob" was typed: the log proved the name is his
  REQUIRE(status.contact_map_entries >= 1);

  // The server rewrites the commitment of Bob's first version, then the log moves on.
  {
    pqxx::connection conn(env.db.url());
    pqxx::nontransaction tx(conn);
    tx.exec_params(
        "UPDATE kt_versions SET commitment = set_byte(commitment, 0, get_byte(commitment, 0) # 1) "
        "WHERE label = '\\x01'::bytea || uuid_send($1) AND version = 0",
        b.messenger.account_id());
  }
  device c("carol", client::messenger::register_account(env.config("carol"), unique_name("carol")));
  REQUIRE(kt_published(env.db.url()));

  const client::kt_check_report report = a.messenger.check_key_transparency();
  INFO(report.failure);
  CHECK(report.failure.empty());  // the log itself still verifies; Bob's history does not
  REQUIRE(report.contact_failures.size() == 1);
  CHECK(report.contact_failures[0].find("could not verify " + bob + "'s devices") !=
        std::string::npos);
  // Bob's proof is void: a new device of his would need a search that passes.
  status = a.messenger.key_transparency_status();
  CHECK(status.proven_accounts == 0);
}

TEST_CASE("e2e: kt check monitors a contact's map entries until a distinguished entry covers them",
          "[e2e][kt]") {
  environment env;
  device a("alice", client::messenger::register_account(env.config("alice"), unique_name("alice")));
  const std::string bob = unique_name("bob");
  device b("bob", client::messenger::register_account(env.config("bob"), bob));
  a.messenger.send(bob, "hello");
  const std::size_t entries = a.messenger.key_transparency_status().contact_map_entries;
  REQUIRE(entries >= 1);

  // New entries grow the log over Bob's: monitoring proves his versions are still there,
  // moving each entry up its direct path and dropping it at a distinguished entry.
  for (int i = 0; i < 4; ++i) {
    device other("other", client::messenger::register_account(
                              env.config("other" + std::to_string(i)), unique_name("other")));
    REQUIRE(kt_published(env.db.url()));
  }
  const client::kt_check_report report = a.messenger.check_key_transparency();
  INFO(report.failure);
  REQUIRE(report.failure.empty());
  CHECK(report.contact_failures.empty());
  CHECK(report.labels_monitored >= 1);
  CHECK(a.messenger.key_transparency_status().contact_map_entries <= entries);
  // The proofs still stand: Alice sends on.
  CHECK(a.messenger.key_transparency_status().proven_accounts == 1);
  a.messenger.send(bob, "still you");
  CHECK(b.receive_until(2) == 2);
}

TEST_CASE("e2e: a username the server points at another account is refused", "[e2e][kt]") {
  environment env;
  device a("alice", client::messenger::register_account(env.config("alice"), unique_name("alice")));
  const std::string bob = unique_name("bob");
  device b("bob", client::messenger::register_account(env.config("bob"), bob));
  device m("mallory",
           client::messenger::register_account(env.config("mallory"), unique_name("mallory")));

  // A compromised server answers Bob's name with Mallory's account, without publishing it.
  {
    pqxx::connection conn(env.db.url());
    pqxx::nontransaction tx(conn);
    tx.exec_params("UPDATE usernames SET account_id = $1 WHERE username = $2",
                   m.messenger.account_id(), bob);
  }
  try {
    a.messenger.send(bob, "for bob only");
    FAIL("the send went out");
  } catch (const client::kt_device_unverified_error& e) {
    CHECK(e.contact() == bob);
  }
  CHECK(m.receive_for(std::chrono::milliseconds(300)) == 0);
  CHECK(a.messenger.key_transparency_status().proven_usernames == 1);  // the log's answer: Bob's
}

TEST_CASE("e2e: a username the server gives to another account shows in the owner's kt check",
          "[e2e][kt]") {
  environment env;
  const std::string alice = unique_name("alice");
  device a("alice", client::messenger::register_account(env.config("alice"), alice));
  device m("mallory",
           client::messenger::register_account(env.config("mallory"), unique_name("mallory")));
  client::kt_check_report report = a.messenger.check_key_transparency();
  INFO(report.failure);
  REQUIRE(report.failure.empty());
  CHECK(report.alerts.empty());

  // The server moves Alice's name to Mallory's account and publishes it, so that people who
  // type "alice" and check the log reach Mallory.
  {
    pqxx::connection conn(env.db.url());
    pqxx::work tx(conn);
    tx.exec_params("UPDATE usernames SET account_id = $1 WHERE username = $2",
                   m.messenger.account_id(), alice);
    tx.exec_params(
        "INSERT INTO kt_pending (label) VALUES ('\\x02'::bytea || convert_to($1, 'UTF8'))", alice);
    tx.commit();
  }
  REQUIRE(kt_published(env.db.url()));
  report = a.messenger.check_key_transparency();
  INFO(report.failure);
  REQUIRE(report.failure.empty());
  REQUIRE(report.own_changes.size() == 1);
  CHECK(report.own_changes[0].find("your username " + alice + " was given to account " +
                                   m.messenger.account_id()) != std::string::npos);
  REQUIRE(report.alerts.size() == 1);
  CHECK(report.alerts[0].find("does not name your account") != std::string::npos);
  // The change is told once; the alert stays while the log says so.
  report = a.messenger.check_key_transparency();
  CHECK(report.own_changes.empty());
  CHECK(report.alerts.size() == 1);
}

TEST_CASE("e2e: a removal the log does not show is reported to the device that made it",
          "[e2e][kt]") {
  environment env;
  const std::string alice = unique_name("alice");
  device a1("alice", client::messenger::register_account(env.config("alice"), alice));
  device a2("alice-2", client::messenger::link_device(
                           env.config("alice-2"), a1.messenger.create_link_token().token, alice));
  REQUIRE(a1.messenger.check_key_transparency().failure.empty());

  // The server removes the laptop but never publishes it: contacts would go on trusting it.
  {
    pqxx::connection conn(env.db.url());
    pqxx::nontransaction tx(conn);
    tx.exec0(R"sql(
CREATE FUNCTION drop_kt_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RETURN NULL; END $$;
CREATE TRIGGER drop_kt_pending BEFORE INSERT ON kt_pending
  FOR EACH ROW EXECUTE FUNCTION drop_kt_pending())sql");
  }
  const std::string warning = a1.messenger.remove_device(a2.messenger.device_id());
  CHECK(warning.find("still lists device " + std::to_string(a2.messenger.device_id())) !=
        std::string::npos);
}
