// Identity keys end to end: safety numbers agree on both sides, a re-registered account
// (new identity key) is reported and blocks sending until verify, a server that swaps a
// device's identity key is caught, and a backup restores contacts and history on a new
// device.
#include <pqxx/pqxx>

#include "core/errors.hpp"
#include "crypto/identity_key.hpp"
#include "crypto/key_encoding.hpp"
#include "e2e_support.hpp"

using namespace sealpost::e2e;

TEST_CASE("e2e: Bob re-registers with a new identity key and Alice's client reports the change",
          "[e2e]") {
  environment env;
  const std::string alice = unique_name("alice");
  const std::string bob = unique_name("bob");
  device a("alice", client::messenger::register_account(env.config("alice"), alice));
  device b("bob", client::messenger::register_account(env.config("bob"), bob));
  a.messenger.send(bob, "hello bob");
  REQUIRE(b.receive_until(1) == 1);
  b.messenger.send(alice, "hello alice");
  REQUIRE(a.receive_until(1) == 1);
  CHECK(a.messages[0].peer_username == bob);

  const std::vector<client::safety_number> alice_view = a.messenger.safety_numbers(bob);
  const std::vector<client::safety_number> bob_view = b.messenger.safety_numbers(alice);
  REQUIRE(alice_view.size() == 1);
  REQUIRE(bob_view.size() == 1);
  CHECK(alice_view[0].digits.size() == 60);
  CHECK(alice_view[0].digits == bob_view[0].digits);
  CHECK_FALSE(alice_view[0].changed);

  // Bob loses everything and registers the same username again: a new account, new keys.
  b.socket.reset();
  b.messenger.delete_account();
  device b_new("bob-new", client::messenger::register_account(env.config("bob-new"), bob));
  CHECK(b_new.messenger.account_id() != b.messenger.account_id());

  // His first message arrives flagged, with a notice.
  b_new.messenger.send(alice, "it is me, new phone");
  REQUIRE(a.receive_until(2) == 2);
  CHECK(a.messages[1].text == "it is me, new phone");
  CHECK(a.messages[1].identity_unverified);
  bool reported = false;
  for (const client::notice& n : a.notices) {
    reported = reported || (n.what == client::notice::kind::identity_changed && n.username == bob);
  }
  CHECK(reported);

  // Sending is blocked until Alice verifies; nothing reaches the new account meanwhile.
  CHECK_THROWS_AS(a.messenger.send(bob, "are you really bob?"), client::identity_changed_error);
  CHECK_THROWS_AS(a.messenger.send(bob, "are you really bob?"), client::identity_changed_error);
  const std::vector<client::safety_number> changed = a.messenger.safety_numbers(bob);
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].changed);
  CHECK(changed[0].digits != alice_view[0].digits);
  CHECK(changed[0].digits == b_new.messenger.safety_numbers(alice)[0].digits);
  CHECK(b_new.receive_for(std::chrono::milliseconds(300)) == 0);

  a.messenger.verify(bob);
  const std::vector<client::safety_number> verified = a.messenger.safety_numbers(bob);
  CHECK(verified[0].verified);
  CHECK_FALSE(verified[0].changed);
  a.messenger.send(bob, "verified, welcome back");
  REQUIRE(b_new.receive_until(1) == 1);
  CHECK(b_new.received["verified, welcome back"] == 1);
}

TEST_CASE("e2e: a server that swaps a device's identity key is caught", "[e2e]") {
  environment env;
  const std::string alice = unique_name("alice");
  const std::string bob = unique_name("bob");
  device a("alice", client::messenger::register_account(env.config("alice"), alice));
  device b("bob", client::messenger::register_account(env.config("bob"), bob));
  a.messenger.send(bob, "hello");
  const std::string original = a.messenger.safety_numbers(bob)[0].digits;

  // The "server" now claims another key for Bob's device 1.
  const auto impostor = sealpost::client::crypto::generate_identity().public_key;
  {
    pqxx::connection conn(env.db.url());
    pqxx::work tx(conn);
    tx.exec_params("UPDATE devices SET identity_key = $1 WHERE account_id = $2 AND device_id = 1",
                   pqxx::binarystring(impostor.data(), impostor.size()), b.messenger.account_id());
    tx.commit();
  }
  const std::vector<client::safety_number> numbers = a.messenger.safety_numbers(bob);
  REQUIRE(numbers.size() == 1);
  CHECK(numbers[0].changed);
  CHECK(numbers[0].digits != original);
  CHECK_THROWS_AS(a.messenger.send(bob, "secret"), client::identity_changed_error);
  const std::vector<client::contact_info> contacts = a.messenger.contacts();
  REQUIRE(contacts.size() == 1);
  CHECK(contacts[0].identity_changed);
}

TEST_CASE("e2e: an encrypted backup restores contacts and history onto a new device", "[e2e]") {
  environment env;
  const std::string alice = unique_name("alice");
  const std::string bob = unique_name("bob");
  device a("alice", client::messenger::register_account(env.config("alice"), alice));
  device b("bob", client::messenger::register_account(env.config("bob"), bob));
  a.messenger.send(bob, "backup me 1");
  REQUIRE(b.receive_until(1) == 1);
  b.messenger.send(alice, "backup me 2");
  REQUIRE(a.receive_until(1) == 1);
  a.messenger.send(bob, "backup me 3");
  a.messenger.backup("correct backup passphrase");

  device restored("alice-restored",
                  client::messenger::link_device(env.config("alice-restored"),
                                                 a.messenger.create_link_token().token));
  CHECK(restored.messenger.username().empty());
  try {
    restored.messenger.restore_backup("wrong backup passphrase");
    FAIL("a wrong backup passphrase was accepted");
  } catch (const client::state_error& e) {
    CHECK(e.error_kind() == client::state_error::kind::wrong_passphrase);
  }
  const client::restore_report report =
      restored.messenger.restore_backup("correct backup passphrase");
  CHECK(report.history_added == 3);
  CHECK(restored.messenger.username() == alice);
  const std::vector<client::history_entry> history = restored.messenger.history(bob);
  REQUIRE(history.size() == 3);
  CHECK(history[0].text == "backup me 1");
  CHECK(history[1].text == "backup me 2");
  CHECK_FALSE(history[1].outgoing);
  CHECK(history[2].text == "backup me 3");
  // Bob's keys came with the backup: the new device trusts them and can write to him.
  restored.messenger.send(bob, "from the restored device");
  REQUIRE(b.receive_until(3) == 3);
  CHECK(b.received["from the restored device"] == 1);

  require_no_plaintext(dump_database(env.db.url()),
                       {"backup me 1", "backup me 2", "backup me 3", "from the restored device",
                        "correct backup passphrase"});
}

TEST_CASE("e2e: a 410 stale_devices answer renews the session and the send goes through", "[e2e]") {
  environment env;
  const std::string alice = unique_name("alice");
  const std::string bob = unique_name("bob");
  device a("alice", client::messenger::register_account(env.config("alice"), alice));
  device b("bob", client::messenger::register_account(env.config("bob"), bob));
  a.messenger.send(bob, "first");
  REQUIRE(b.receive_until(1) == 1);

  // The server now lists another registration id for Bob's device (as after a
  // re-installation that kept the device id), and publishes it in the key-transparency log
  // as an honest server does with any such change; Alice's next send is answered 410 first,
  // and her client checks the new registration id against the log before its new session.
  {
    pqxx::connection conn(env.db.url());
    pqxx::work tx(conn);
    tx.exec_params(
        "UPDATE devices SET registration_id = registration_id % 16380 + 1 "
        "WHERE account_id = $1 AND device_id = 1",
        b.messenger.account_id());
    tx.exec_params("INSERT INTO kt_pending (label) VALUES ('\\x01'::bytea || uuid_send($1))",
                   b.messenger.account_id());
    tx.commit();
  }
  const client::send_report report = a.messenger.send(bob, "after a 410");
  CHECK(report.recipient_devices == std::vector<std::uint32_t>{1});
  REQUIRE(b.receive_until(2) == 2);
  CHECK(b.received["after a 410"] == 1);
  b.messenger.send(alice, "still talking");
  REQUIRE(a.receive_until(1) == 1);
  CHECK(a.received["still talking"] == 1);
}
