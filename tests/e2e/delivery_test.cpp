// Delivery edge cases end to end: out-of-order and duplicated envelopes, tampered
// ciphertexts, devices linked and removed mid-conversation, the REST polling fallback and
// one-time prekey replenishment on KeysLow.
#include <algorithm>
#include <pqxx/pqxx>
#include <random>

#include "core/errors.hpp"
#include "e2e_support.hpp"
#include "net/api_client.hpp"
#include "net/errors.hpp"
#include "net/server_address.hpp"

using namespace sealpost::e2e;
namespace net = sealpost::client::net;

namespace {

std::unique_ptr<net::api_client> api_for(const environment& env, const device& d) {
  auto api = std::make_unique<net::api_client>(net::parse_server_url(env.url()));
  api->set_login(d.messenger.login());
  return api;
}

std::vector<net::envelope> fetch_all(net::api_client& api) {
  return api.poll_messages().envelopes;
}

void ack_all(net::api_client& api, const std::vector<net::guid>& guids) {
  for (const net::guid& id : guids) {
    api.ack_message(id);
  }
}

int count_of(const device& d, const std::string& text) {
  const auto it = d.received.find(text);
  return it == d.received.end() ? 0 : it->second;
}

}  // namespace

TEST_CASE(
    "e2e: envelopes out of order and duplicated decrypt exactly once and tampering is rejected",
    "[e2e]") {
  environment env;
  const std::string alice = unique_name("alice");
  const std::string bob = unique_name("bob");
  device a("alice", client::messenger::register_account(env.config("alice"), alice));
  device b("bob", client::messenger::register_account(env.config("bob"), bob));
  const std::unique_ptr<net::api_client> bob_client = api_for(env, b);
  net::api_client& bob_api = *bob_client;
  std::mt19937 rng(7);
  std::vector<std::string> texts;
  auto send = [&](device& from, const std::string& to, const std::string& text) {
    from.messenger.send(to, text);
    texts.push_back(text);
  };

  // Phase 1: ten prekey messages (Alice has no reply yet), shuffled, three of them twice.
  for (int i = 0; i < 10; ++i) {
    send(a, bob, "first-" + std::to_string(i));
  }
  std::vector<net::envelope> envelopes = fetch_all(bob_api);
  REQUIRE(envelopes.size() == 10);
  std::vector<net::envelope> batch = envelopes;
  batch.push_back(envelopes[1]);
  batch.push_back(envelopes[5]);
  batch.push_back(envelopes[9]);
  std::shuffle(batch.begin(), batch.end(), rng);
  client::receive_result result = b.messenger.process(batch);
  b.record(result);
  CHECK(result.messages.size() == 10);
  CHECK(result.duplicates == 3);
  CHECK(result.notices.empty());
  for (int i = 0; i < 10; ++i) {
    CHECK(count_of(b, "first-" + std::to_string(i)) == 1);
  }
  // The same envelopes again (a redelivery before the ack landed): nothing new.
  const client::receive_result again = b.messenger.process(envelopes);
  CHECK(again.messages.empty());
  CHECK(again.duplicates == 10);
  ack_all(bob_api, result.acks);
  CHECK(fetch_all(bob_api).empty());

  // Phase 2: two sending chains of Alice's (before and after Bob's reply reached her), mixed.
  send(b, alice, "reply-1");
  for (int i = 0; i < 5; ++i) {
    send(a, bob, "chain-one-" + std::to_string(i));
  }
  REQUIRE(a.receive_until(1) == 1);
  CHECK(a.received["reply-1"] == 1);
  for (int i = 0; i < 5; ++i) {
    send(a, bob, "chain-two-" + std::to_string(i));
  }
  envelopes = fetch_all(bob_api);
  REQUIRE(envelopes.size() == 10);
  // With envelopes queued, the database has ciphertext only.
  require_no_plaintext(dump_database(env.db.url()), texts);
  batch = envelopes;
  batch.push_back(envelopes[0]);
  batch.push_back(envelopes[7]);
  std::reverse(batch.begin(), batch.end());
  std::shuffle(batch.begin() + 2, batch.end(), rng);
  result = b.messenger.process(batch);
  b.record(result);
  CHECK(result.messages.size() == 10);
  CHECK(result.duplicates == 2);
  CHECK(result.notices.empty());
  for (int i = 0; i < 5; ++i) {
    CHECK(count_of(b, "chain-one-" + std::to_string(i)) == 1);
    CHECK(count_of(b, "chain-two-" + std::to_string(i)) == 1);
  }
  ack_all(bob_api, result.acks);

  // Phase 3: a tampered ciphertext is rejected, and the session survives it. Alice holds
  // Bob's access key by now, so the envelope is sealed and its outer layer catches it.
  send(a, bob, "untouched");
  envelopes = fetch_all(bob_api);
  REQUIRE(envelopes.size() == 1);
  CHECK(envelopes[0].type == net::unidentified_sender_type);
  for (const std::size_t where :
       {envelopes[0].content.size() - 1, envelopes[0].content.size() / 2, std::size_t{3}}) {
    net::envelope tampered = envelopes[0];
    tampered.content[where] ^= 0x20;
    const client::receive_result refused = b.messenger.process(std::vector{tampered});
    CHECK(refused.messages.empty());
    REQUIRE(refused.notices.size() == 1);
    CHECK(refused.notices[0].what == client::notice::kind::sealed_refused);
  }
  result = b.messenger.process(envelopes);
  b.record(result);
  REQUIRE(result.messages.size() == 1);
  CHECK(result.messages[0].text == "untouched");
  ack_all(bob_api, result.acks);
  send(a, bob, "still working");
  send(b, alice, "both ways");
  REQUIRE(b.receive_until(b.total() + 1) >= 1);
  CHECK(count_of(b, "still working") == 1);
  REQUIRE(a.receive_until(2) == 2);
  CHECK(a.received["both ways"] == 1);
  require_no_plaintext(dump_database(env.db.url()), texts);
}

TEST_CASE(
    "e2e: a device linked mid-conversation gets what follows and a removed one gets nothing more",
    "[e2e]") {
  environment env;
  const std::string alice = unique_name("alice");
  const std::string bob = unique_name("bob");
  device a1("alice-1", client::messenger::register_account(env.config("alice-1"), alice));
  device b1("bob-1", client::messenger::register_account(env.config("bob-1"), bob));
  device b2("bob-2", client::messenger::link_device(env.config("bob-2"),
                                                    b1.messenger.create_link_token().token, bob));
  std::vector<std::string> texts{"before-1", "before-2"};
  a1.messenger.send(bob, "before-1");
  REQUIRE(b1.receive_until(1) == 1);
  REQUIRE(b2.receive_until(1) == 1);
  b1.messenger.send(alice, "before-2");
  REQUIRE(a1.receive_until(1) == 1);
  REQUIRE(b2.receive_until(2) == 2);  // the copy from b1

  // Alice links a laptop in the middle of the conversation.
  device a3("alice-3", client::messenger::link_device(
                           env.config("alice-3"), a1.messenger.create_link_token().token, alice));
  REQUIRE(a3.messenger.device_id() == 2);
  a3.connect();
  client::send_report report = b1.messenger.send(alice, "after-link-1");
  CHECK(report.recipient_devices == std::vector<std::uint32_t>{1, 2});
  report = a1.messenger.send(bob, "after-link-2");
  CHECK(report.recipient_devices == std::vector<std::uint32_t>{1, 2});
  CHECK(report.own_devices == std::vector<std::uint32_t>{2});
  report = b2.messenger.send(alice, "after-link-3");
  CHECK(report.recipient_devices == std::vector<std::uint32_t>{1, 2});
  a3.messenger.send(bob, "from-the-laptop");
  texts.insert(texts.end(), {"after-link-1", "after-link-2", "after-link-3", "from-the-laptop"});
  REQUIRE(a3.receive_until(3) == 3);
  CHECK(count_of(a3, "after-link-1") == 1);
  CHECK(count_of(a3, "after-link-2") == 1);  // the copy of a1's message
  CHECK(count_of(a3, "after-link-3") == 1);
  CHECK(count_of(a3, "before-1") == 0);
  CHECK(count_of(a3, "before-2") == 0);
  REQUIRE(a1.receive_until(4) == 4);
  CHECK(count_of(a1, "from-the-laptop") == 1);
  REQUIRE(b1.receive_until(4) == 4);
  REQUIRE(b2.receive_until(5) == 5);

  // Bob removes his second device: senders learn it from the server and skip it.
  const std::uint32_t removed = b2.messenger.device_id();
  CHECK(b1.messenger.remove_device(removed).empty());  // the log shows exactly that [D3]
  report = a1.messenger.send(bob, "after-removal-1");
  CHECK(report.recipient_devices == std::vector<std::uint32_t>{1});
  report = b1.messenger.send(alice, "after-removal-2");
  CHECK(report.own_devices.empty());
  texts.insert(texts.end(), {"after-removal-1", "after-removal-2"});
  REQUIRE(b1.receive_until(5) == 5);
  CHECK(count_of(b1, "after-removal-1") == 1);
  REQUIRE(a3.receive_until(5) == 5);

  // The removed device: its socket is refused or closed, its queue is gone, nothing arrives.
  try {
    b2.receive_for(std::chrono::milliseconds(500));
  } catch (const net::connection_closed&) {
    // The server may close the socket of a removed device.
  }
  CHECK(count_of(b2, "after-removal-1") == 0);
  CHECK_THROWS_AS(b2.messenger.connect(), net::unauthorized_error);
  CHECK_THROWS_AS(b2.messenger.receive_pending(), net::unauthorized_error);
  pqxx::connection conn(env.db.url());
  pqxx::work tx(conn);
  const auto queued =
      tx.exec_params1("SELECT count(*) FROM messages WHERE account_id = $1 AND device_id = $2",
                      b1.messenger.account_id(), static_cast<int>(removed))[0]
          .as<int>();
  CHECK(queued == 0);
  tx.commit();
  for (const client::notice& n : a1.notices) {
    CHECK(n.what != client::notice::kind::undecryptable);
  }
  require_no_plaintext(dump_database(env.db.url()), texts);
}

TEST_CASE("e2e: the polling fallback receives and acks and KeysLow brings new one-time prekeys",
          "[e2e]") {
  environment env;
  const std::string alice = unique_name("alice");
  const std::string bob = unique_name("bob");
  device a("alice", client::messenger::register_account(env.config("alice"), alice));
  client::registration_options few;
  few.one_time_prekeys = 12;
  device b("bob", client::messenger::register_account(env.config("bob"), bob, few));

  a.messenger.send(bob, "polled-1");
  a.messenger.send(bob, "polled-2");
  const client::receive_result polled = b.messenger.receive_pending();
  REQUIRE(polled.messages.size() == 2);
  CHECK(polled.messages[0].text == "polled-1");
  CHECK(polled.messages[1].text == "polled-2");
  CHECK(b.messenger.receive_pending().messages.empty());

  // Three more claims drain Bob's pool below the watermark (10).
  const std::unique_ptr<net::api_client> alice_client = api_for(env, a);
  const std::unique_ptr<net::api_client> bob_client = api_for(env, b);
  net::api_client& alice_api = *alice_client;
  net::api_client& bob_api = *bob_client;
  for (int i = 0; i < 3; ++i) {
    alice_api.claim_bundles(b.messenger.account_id(), std::nullopt);
  }
  CHECK(bob_api.get_key_status().one_time_prekeys == 8);
  b.receive_for(std::chrono::milliseconds(1500));
  bool uploaded = false;
  for (const client::notice& n : b.notices) {
    uploaded = uploaded || n.what == client::notice::kind::prekeys_uploaded;
  }
  CHECK(uploaded);
  CHECK(bob_api.get_key_status().one_time_prekeys == 100);
  // A session made from one of the new prekeys works.
  device a2("alice-2", client::messenger::link_device(
                           env.config("alice-2"), a.messenger.create_link_token().token, alice));
  a2.messenger.send(bob, "with a fresh prekey");
  REQUIRE(b.receive_until(1) == 1);
  CHECK(b.received["with a fresh prekey"] == 1);
}
