// The full E2EE handshake end to end against a real server: two users with two devices
// each register, fetch bundles, open sessions and exchange 1,000 messages both ways; every
// other device of both accounts decrypts every message exactly once, and the database
// never holds a plaintext.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "core/errors.hpp"
#include "e2e_support.hpp"

using namespace sealpost::e2e;

namespace {

// SEALPOST_E2E_MESSAGES overrides the count (e.g. for a quick local run).
int message_count() {
  if (const char* value = std::getenv("SEALPOST_E2E_MESSAGES")) {
    return std::max(8, std::atoi(value));
  }
  return 1000;
}

std::string random_tag(std::mt19937_64& rng) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(rng()));
  return buffer;
}

}  // namespace

TEST_CASE(
    "e2e: Alice and Bob with two devices each exchange 1000 messages and every other device "
    "decrypts each once",
    "[e2e]") {
  const auto started = std::chrono::steady_clock::now();
  environment env;
  const std::string alice = unique_name("alice");
  const std::string bob = unique_name("bob");

  device a1("alice-1", client::messenger::register_account(env.config("alice-1"), alice));
  device b1("bob-1", client::messenger::register_account(env.config("bob-1"), bob));
  device a2("alice-2", client::messenger::link_device(
                           env.config("alice-2"), a1.messenger.create_link_token().token, alice));
  device b2("bob-2", client::messenger::link_device(env.config("bob-2"),
                                                    b1.messenger.create_link_token().token, bob));
  CHECK(a2.messenger.device_id() == 2);
  CHECK(a2.messenger.username() == alice);
  std::vector<device*> devices{&a1, &a2, &b1, &b2};
  for (device* d : devices) {
    d->connect();
  }

  const int total = message_count();
  const int per_device_per_round = 10;
  std::mt19937_64 rng(20240601);
  std::map<device*, std::vector<std::string>> sent_by;
  std::map<device*, std::size_t> expected;
  std::vector<std::string> all_texts;
  bool dumped_with_queue = false;
  int sent = 0;
  for (int round = 0; sent < total; ++round) {
    for (device* from : devices) {
      const bool is_alice = from == &a1 || from == &a2;
      for (int k = 0; k < per_device_per_round && sent < total; ++k, ++sent) {
        const std::string text = "msg-" + std::to_string(sent) + "-" + random_tag(rng);
        const client::send_report report = from->messenger.send(is_alice ? bob : alice, text);
        REQUIRE(report.recipient_devices.size() == 2);
        REQUIRE(report.own_devices.size() == 1);
        REQUIRE(report.own_devices_warning.empty());
        sent_by[from].push_back(text);
        all_texts.push_back(text);
        for (device* other : devices) {
          if (other != from) {
            ++expected[other];
          }
        }
      }
    }
    if (!dumped_with_queue && (round == 2 || sent >= total)) {
      // Envelopes are queued now, none acked: the database holds ciphertexts only.
      require_no_plaintext(dump_database(env.db.url()), all_texts);
      dumped_with_queue = true;
    }
    for (device* d : devices) {
      INFO(d->name << " after round " << round);
      REQUIRE(d->receive_until(expected[d]) == expected[d]);
    }
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);

  CHECK(dumped_with_queue);
  for (device* d : devices) {
    INFO(d->name);
    CHECK(d->total() == expected[d]);
    for (device* from : devices) {
      for (const std::string& text : sent_by[from]) {
        const auto it = d->received.find(text);
        const int times = it == d->received.end() ? 0 : it->second;
        if (times != (from == d ? 0 : 1)) {
          FAIL_CHECK(d->name << " got '" << text << "' " << times << " times");
        }
      }
    }
    for (const client::notice& n : d->notices) {
      CHECK(n.what != client::notice::kind::undecryptable);
      CHECK(n.what != client::notice::kind::identity_changed);
    }
  }
  // Copies from our own other devices are marked as sent by us, with the right peer.
  for (const client::received_message& m : a2.messages) {
    if (m.sent_by_us) {
      CHECK(m.sender_device == 1);
      CHECK(m.peer_username == bob);
    } else {
      CHECK(m.peer_username == bob);
    }
  }
  CHECK(a1.messenger.history(bob).size() == static_cast<std::size_t>(total));

  require_no_plaintext(dump_database(env.db.url()), all_texts);
  std::fprintf(stderr, "e2e: %d messages, 4 devices, %lld ms\n", total,
               static_cast<long long>(elapsed.count()));
}
