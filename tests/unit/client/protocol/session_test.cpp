// Sessions over the Double Ratchet: opening, long conversations, out-of-order delivery,
// MAX_SKIP, replays, tampering (state unchanged after) and serialisation.
#include "protocol/session.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "protocol/wire.hpp"
#include "protocol_test_support.hpp"

namespace sealpost::client::protocol {
namespace {

using test::bytes_of;
using test::conversation;
using test::make_device;
using test::open_conversation;
using test::receive;
using test::test_device;
using test::text_of;

// `count` messages from `sender`, numbered from `first`, not yet delivered.
std::vector<outgoing_message> send_many(session& sender, int count, int first = 0) {
  std::vector<outgoing_message> sent;
  for (int i = first; i < first + count; ++i) {
    sent.push_back(sender.encrypt(bytes_of("message " + std::to_string(i))));
  }
  return sent;
}

protocol_error refused(session& receiver, const outgoing_message& message) {
  result<crypto::secret_bytes<>> plaintext = receiver.decrypt(message.type, message.content);
  REQUIRE_FALSE(plaintext.has_value());
  return plaintext.error();
}

// One more round trip each way, to show the sessions still work.
void check_still_talking(conversation& c) {
  CHECK(receive(c.bob, c.alice.encrypt(bytes_of("still there?"))) == "still there?");
  CHECK(receive(c.alice, c.bob.encrypt(bytes_of("yes"))) == "yes");
  CHECK(receive(c.bob, c.alice.encrypt(bytes_of("good"))) == "good");
}

// The ratchet message inside `message`, re-encoded with `edit` applied.
template <typename Edit>
outgoing_message edited(const outgoing_message& message, Edit edit) {
  REQUIRE(message.type == message_type::ratchet);
  result<ratchet_message> decoded = decode_ratchet_message(message.content);
  REQUIRE(decoded.has_value());
  edit(*decoded);
  return {message_type::ratchet,
          encode_ratchet_message(decoded->header_bytes, decoded->ciphertext)};
}

TEST_CASE(
    "client protocol: session opens from the first message and then burns the one-time "
    "prekey",
    "[client][protocol]") {
  const test_device alice_device = make_device(1111);
  test_device bob_device = make_device(2222);
  result<session> alice = session::initiate(alice_device.identity, bob_device.bundle);
  REQUIRE(alice.has_value());
  CHECK(alice->awaiting_reply());
  CHECK(alice->remote_registration_id() == 2222);
  const outgoing_message hello = alice->encrypt(bytes_of("hello"));
  REQUIRE(hello.type == message_type::prekey);

  // A forgery naming the one-time prekey must not consume it.
  result<prekey_message> forged = decode_prekey_message(hello.content);
  REQUIRE(forged.has_value());
  forged->message.back() ^= 0x01;
  result<accepted_session> refused_accept =
      session::accept(bob_device.identity, bob_device.prekeys, encode_prekey_message(*forged));
  REQUIRE_FALSE(refused_accept.has_value());
  CHECK(refused_accept.error() == protocol_error::decryption_failed);
  CHECK(bob_device.prekeys.one_time_prekey_count() == 1);

  result<accepted_session> accepted =
      session::accept(bob_device.identity, bob_device.prekeys, hello.content);
  REQUIRE(accepted.has_value());
  CHECK(text_of(accepted->plaintext) == "hello");
  CHECK(bob_device.prekeys.one_time_prekey_count() == 0);
  CHECK(accepted->session.remote_registration_id() == 1111);
  CHECK(accepted->session.remote_identity_key() == alice_device.identity.identity_key.public_key);
  CHECK_FALSE(accepted->session.awaiting_reply());

  // Replaying the opening message cannot open a second session: its prekey is gone.
  result<accepted_session> replayed =
      session::accept(bob_device.identity, bob_device.prekeys, hello.content);
  REQUIRE_FALSE(replayed.has_value());
  CHECK(replayed.error() == protocol_error::unknown_one_time_prekey);
}

TEST_CASE("client protocol: session opens without a one-time prekey", "[client][protocol]") {
  const test_device alice_device = make_device(1);
  test_device bob_device = make_device(2, false);
  result<session> alice = session::initiate(alice_device.identity, bob_device.bundle);
  REQUIRE(alice.has_value());
  const outgoing_message hello = alice->encrypt(bytes_of("hello"));
  result<accepted_session> accepted =
      session::accept(bob_device.identity, bob_device.prekeys, hello.content);
  REQUIRE(accepted.has_value());
  CHECK(text_of(accepted->plaintext) == "hello");
  CHECK(receive(*alice, accepted->session.encrypt(bytes_of("hi"))) == "hi");
}

TEST_CASE("client protocol: initiator repeats the prekey header until the first reply",
          "[client][protocol]") {
  const test_device alice_device = make_device(1);
  test_device bob_device = make_device(2);
  result<session> alice = session::initiate(alice_device.identity, bob_device.bundle);
  REQUIRE(alice.has_value());
  const std::vector<outgoing_message> sent = send_many(*alice, 3);
  for (const outgoing_message& message : sent) {
    CHECK(message.type == message_type::prekey);
  }

  // The first one is late: Bob opens the session from the second.
  result<accepted_session> accepted =
      session::accept(bob_device.identity, bob_device.prekeys, sent[1].content);
  REQUIRE(accepted.has_value());
  CHECK(text_of(accepted->plaintext) == "message 1");
  session bob = std::move(accepted->session);
  CHECK(receive(bob, sent[2]) == "message 2");
  CHECK(receive(bob, sent[0]) == "message 0");
  CHECK(refused(bob, sent[1]) == protocol_error::duplicate_message);

  // A prekey message of another X3DH run (another base key) is not this session's.
  result<session> second_run = session::initiate(alice_device.identity, make_device(2).bundle);
  REQUIRE(second_run.has_value());
  CHECK(refused(bob, second_run->encrypt(bytes_of("x"))) == protocol_error::session_mismatch);

  CHECK(receive(*alice, bob.encrypt(bytes_of("reply"))) == "reply");
  CHECK_FALSE(alice->awaiting_reply());
  const outgoing_message after_reply = alice->encrypt(bytes_of("plain ratchet now"));
  CHECK(after_reply.type == message_type::ratchet);
  CHECK(receive(bob, after_reply) == "plain ratchet now");
}

TEST_CASE("client protocol: an initiator refuses prekey messages", "[client][protocol]") {
  conversation c = open_conversation();
  // A prekey message from Bob's identity (an X3DH run he started): not for an initiator.
  result<session> other = session::initiate(c.bob_device.identity, make_device(9).bundle);
  REQUIRE(other.has_value());
  CHECK(refused(c.alice, other->encrypt(bytes_of("x"))) == protocol_error::session_mismatch);
  CHECK(refused(c.alice, {static_cast<message_type>(3), {}}) == protocol_error::malformed_message);
  check_still_talking(c);
}

TEST_CASE("client protocol: 1000 messages alternating", "[client][protocol]") {
  conversation c = open_conversation();
  for (int i = 0; i < 1000; ++i) {
    const std::string text = "alternating " + std::to_string(i);
    session& sender = i % 2 == 0 ? c.alice : c.bob;
    session& receiver = i % 2 == 0 ? c.bob : c.alice;
    const outgoing_message message = sender.encrypt(bytes_of(text));
    REQUIRE(message.type == message_type::ratchet);
    REQUIRE(receive(receiver, message) == text);
  }
}

TEST_CASE("client protocol: 1000 messages in bursts both ways", "[client][protocol]") {
  conversation c = open_conversation();
  std::mt19937 rng(20240601);
  std::uniform_int_distribution<int> burst_size(1, 60);
  int total = 0;
  for (bool alice_sends = true; total < 1000; alice_sends = !alice_sends) {
    const int count = std::min(burst_size(rng), 1000 - total);
    session& sender = alice_sends ? c.alice : c.bob;
    session& receiver = alice_sends ? c.bob : c.alice;
    // The whole burst is encrypted before any of it is delivered.
    const std::vector<outgoing_message> burst = send_many(sender, count, total);
    for (int i = 0; i < count; ++i) {
      REQUIRE(receive(receiver, burst[static_cast<std::size_t>(i)]) ==
              "message " + std::to_string(total + i));
    }
    total += count;
  }
}

TEST_CASE("client protocol: out-of-order delivery within MAX_SKIP", "[client][protocol]") {
  conversation c = open_conversation();

  SECTION("shuffled within one chain") {
    std::vector<outgoing_message> sent = send_many(c.alice, 200);
    std::vector<std::size_t> order(sent.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      order[i] = i;
    }
    std::shuffle(order.begin(), order.end(), std::mt19937(7));
    for (const std::size_t i : order) {
      REQUIRE(receive(c.bob, sent[i]) == "message " + std::to_string(i));
    }
  }
  SECTION("across a ratchet step, older chain last") {
    const std::vector<outgoing_message> old_chain = send_many(c.alice, 3);
    CHECK(receive(c.bob, old_chain[0]) == "message 0");
    CHECK(receive(c.alice, c.bob.encrypt(bytes_of("turn"))) == "turn");
    const std::vector<outgoing_message> new_chain = send_many(c.alice, 2, 3);
    // The new chain's header says the previous one had 3 messages: 1 and 2 get skipped keys.
    CHECK(receive(c.bob, new_chain[1]) == "message 4");
    CHECK(receive(c.bob, old_chain[2]) == "message 2");
    CHECK(receive(c.bob, new_chain[0]) == "message 3");
    CHECK(receive(c.bob, old_chain[1]) == "message 1");
  }
  check_still_talking(c);
}

TEST_CASE("client protocol: a gap of MAX_SKIP is accepted, a larger one refused",
          "[client][protocol]") {
  conversation c = open_conversation();
  const std::vector<outgoing_message> sent = send_many(c.alice, static_cast<int>(max_skip) + 2);
  const crypto::secret_bytes<> before = c.bob.serialize();
  CHECK(refused(c.bob, sent[max_skip + 1]) == protocol_error::too_many_skipped_messages);
  CHECK(c.bob.serialize() == before);
  CHECK(receive(c.bob, sent[max_skip]) == "message " + std::to_string(max_skip));
  CHECK(receive(c.bob, sent[0]) == "message 0");
  CHECK(receive(c.bob, sent[max_skip + 1]) == "message " + std::to_string(max_skip + 1));
  CHECK(receive(c.bob, sent[max_skip / 2]) == "message " + std::to_string(max_skip / 2));
  check_still_talking(c);
}

TEST_CASE("client protocol: a gap past MAX_SKIP in the previous chain is refused",
          "[client][protocol]") {
  conversation c = open_conversation();
  const std::vector<outgoing_message> lost = send_many(c.alice, static_cast<int>(max_skip) + 2);
  CHECK(receive(c.bob, lost[0]) == "message 0");
  CHECK(receive(c.alice, c.bob.encrypt(bytes_of("turn"))) == "turn");
  // Its header says the previous chain had max_skip + 2 messages; Bob has seen one.
  const outgoing_message next = c.alice.encrypt(bytes_of("next chain"));
  CHECK(refused(c.bob, next) == protocol_error::too_many_skipped_messages);
  CHECK(receive(c.bob, lost[max_skip + 1]) == "message " + std::to_string(max_skip + 1));
  CHECK(receive(c.bob, next) == "next chain");
  check_still_talking(c);
}

TEST_CASE("client protocol: skipped keys are bounded in total, oldest dropped first",
          "[client][protocol]") {
  conversation c = open_conversation();
  // Three chains with max_skip keys skipped in each: more than max_skipped_keys in all.
  std::vector<outgoing_message> first_of_chain;
  for (int chain = 0; chain < 3; ++chain) {
    const std::vector<outgoing_message> sent = send_many(c.alice, static_cast<int>(max_skip) + 1);
    REQUIRE(receive(c.bob, sent.back()) == "message " + std::to_string(max_skip));
    first_of_chain.push_back(sent.front());
    REQUIRE(receive(c.alice, c.bob.encrypt(bytes_of("turn"))) == "turn");
  }
  static_assert(3 * max_skip > max_skipped_keys);
  static_assert(2 * max_skip <= max_skipped_keys);
  CHECK(refused(c.bob, first_of_chain[0]) == protocol_error::decryption_failed);
  CHECK(receive(c.bob, first_of_chain[1]) == "message 0");
  CHECK(receive(c.bob, first_of_chain[2]) == "message 0");
  check_still_talking(c);
}

TEST_CASE("client protocol: a replayed message is rejected", "[client][protocol]") {
  conversation c = open_conversation();

  SECTION("delivered in order, then again") {
    const outgoing_message message = c.alice.encrypt(bytes_of("once"));
    CHECK(receive(c.bob, message) == "once");
    CHECK(refused(c.bob, message) == protocol_error::duplicate_message);
  }
  SECTION("delivered from a skipped key, then again") {
    const std::vector<outgoing_message> sent = send_many(c.alice, 3);
    CHECK(receive(c.bob, sent[2]) == "message 2");
    CHECK(receive(c.bob, sent[0]) == "message 0");
    CHECK(refused(c.bob, sent[0]) == protocol_error::duplicate_message);
    CHECK(refused(c.bob, sent[2]) == protocol_error::duplicate_message);
    CHECK(receive(c.bob, sent[1]) == "message 1");
  }
  SECTION("from a chain the ratchet has moved past") {
    const outgoing_message old = c.alice.encrypt(bytes_of("old"));
    CHECK(receive(c.bob, old) == "old");
    CHECK(receive(c.alice, c.bob.encrypt(bytes_of("turn"))) == "turn");
    CHECK(receive(c.bob, c.alice.encrypt(bytes_of("new"))) == "new");
    const crypto::secret_bytes<> before = c.bob.serialize();
    CHECK(refused(c.bob, old) == protocol_error::decryption_failed);
    CHECK(c.bob.serialize() == before);
  }
  check_still_talking(c);
}

TEST_CASE("client protocol: tampering is rejected and leaves the session unchanged",
          "[client][protocol]") {
  conversation c = open_conversation();
  const outgoing_message original = c.alice.encrypt(bytes_of("the real one"));
  const auto rewrite_header = [](ratchet_message& message, auto change) {
    change(message.header);
    message.header_bytes = encode_ratchet_header(message.header);
  };
  outgoing_message tampered;

  SECTION("a ciphertext byte") {
    tampered = edited(original, [](ratchet_message& m) { m.ciphertext[0] ^= 0x80; });
  }
  SECTION("a tag byte") {
    tampered = edited(original, [](ratchet_message& m) { m.ciphertext.back() ^= 0x01; });
  }
  SECTION("the ciphertext truncated") {
    tampered = edited(original, [](ratchet_message& m) { m.ciphertext.pop_back(); });
  }
  SECTION("the header's previous chain length") {
    tampered = edited(original, [&](ratchet_message& m) {
      rewrite_header(m, [](ratchet_header& h) { h.previous_chain_length += 1; });
    });
  }
  SECTION("the header's message number") {
    tampered = edited(original, [&](ratchet_message& m) {
      rewrite_header(m, [](ratchet_header& h) { h.message_number += 1; });
    });
  }
  SECTION("the header's ratchet key") {
    tampered = edited(original, [&](ratchet_message& m) {
      rewrite_header(
          m, [](ratchet_header& h) { h.ratchet_key = crypto::x25519_generate().public_key; });
    });
  }
  SECTION("the header's bytes with the same values (an unknown field appended)") {
    tampered = edited(original, [](ratchet_message& m) {
      // Field 15, varint 1: protobuf ignores it, the AEAD must not.
      m.header_bytes.push_back(0x78);
      m.header_bytes.push_back(0x01);
    });
  }
  const crypto::secret_bytes<> before = c.bob.serialize();
  result<crypto::secret_bytes<>> plaintext = c.bob.decrypt(tampered.type, tampered.content);
  REQUIRE_FALSE(plaintext.has_value());
  CHECK(c.bob.serialize() == before);
  CHECK(receive(c.bob, original) == "the real one");
  check_still_talking(c);
}

TEST_CASE("client protocol: serialize and deserialize mid-conversation", "[client][protocol]") {
  conversation c = open_conversation();
  for (int i = 0; i < 10; ++i) {
    receive(c.bob, c.alice.encrypt(bytes_of("warm-up")));
    receive(c.alice, c.bob.encrypt(bytes_of("warm-up")));
  }
  // Leave skipped keys behind at Bob and a half-used chain at Alice.
  const std::vector<outgoing_message> sent = send_many(c.alice, 5);
  CHECK(receive(c.bob, sent[4]) == "message 4");

  const crypto::secret_bytes<> alice_bytes = c.alice.serialize();
  const crypto::secret_bytes<> bob_bytes = c.bob.serialize();
  result<session> alice = session::deserialize(alice_bytes.view());
  result<session> bob = session::deserialize(bob_bytes.view());
  REQUIRE(alice.has_value());
  REQUIRE(bob.has_value());
  CHECK(alice->serialize() == alice_bytes);
  CHECK(bob->serialize() == bob_bytes);
  CHECK(bob->remote_identity_key() == c.bob.remote_identity_key());
  CHECK(bob->remote_registration_id() == c.bob.remote_registration_id());

  for (int i = 0; i < 4; ++i) {
    CHECK(receive(*bob, sent[static_cast<std::size_t>(i)]) == "message " + std::to_string(i));
  }
  for (int i = 0; i < 20; ++i) {
    CHECK(receive(*bob, alice->encrypt(bytes_of("after restore"))) == "after restore");
    CHECK(receive(*alice, bob->encrypt(bytes_of("after restore too"))) == "after restore too");
  }
}

TEST_CASE("client protocol: serialize and deserialize before the first reply",
          "[client][protocol]") {
  const test_device alice_device = make_device(1);
  test_device bob_device = make_device(2);
  result<session> alice = session::initiate(alice_device.identity, bob_device.bundle);
  REQUIRE(alice.has_value());
  const outgoing_message first = alice->encrypt(bytes_of("first"));

  result<session> restored = session::deserialize(alice->serialize().view());
  REQUIRE(restored.has_value());
  CHECK(restored->awaiting_reply());
  const outgoing_message second = restored->encrypt(bytes_of("second"));
  CHECK(second.type == message_type::prekey);

  result<accepted_session> accepted =
      session::accept(bob_device.identity, bob_device.prekeys, second.content);
  REQUIRE(accepted.has_value());
  CHECK(text_of(accepted->plaintext) == "second");
  CHECK(receive(accepted->session, first) == "first");
  CHECK(receive(*restored, accepted->session.encrypt(bytes_of("reply"))) == "reply");
}

TEST_CASE("client protocol: deserialize refuses what is not a session", "[client][protocol]") {
  const conversation c = open_conversation();
  const crypto::secret_bytes<> good = c.alice.serialize();
  CHECK(session::deserialize({}).error() == protocol_error::malformed_state);
  const std::vector<std::uint8_t> garbage = bytes_of("definitely not a protobuf \xff\xff\xff");
  CHECK(session::deserialize(garbage).error() == protocol_error::malformed_state);

  // Every single-byte corruption and every truncation: a clean result, never a crash, and
  // whatever decodes still has keys of the right sizes (or it would not have decoded).
  std::vector<std::uint8_t> bytes(good.view().begin(), good.view().end());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::vector<std::uint8_t> corrupted = bytes;
    corrupted[i] ^= 0x5A;
    result<session> restored = session::deserialize(corrupted);
    if (restored) {
      CHECK_NOTHROW(restored->serialize());
    }
    result<session> truncated = session::deserialize(std::span(bytes).first(i));
    if (truncated) {
      CHECK_NOTHROW(truncated->serialize());
    }
  }
}

}  // namespace
}  // namespace sealpost::client::protocol
