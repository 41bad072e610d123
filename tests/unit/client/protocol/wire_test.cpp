// Wire format: round trips, validation of every field, and decoders that survive garbage.
#include "protocol/wire.hpp"

#include <catch2/catch.hpp>
#include <limits>
#include <random>
#include <vector>

#include "crypto/aead.hpp"
#include "crypto/random.hpp"
#include "protocol/session.hpp"
#include "protocol_test_support.hpp"

namespace sealpost::client::protocol {
namespace {

using test::bytes_of;
using test::make_device;
using test::open_conversation;
using test::test_device;

std::vector<std::uint8_t> tag_sized_ciphertext() {
  return std::vector<std::uint8_t>(crypto::aead_tag_size, 0xAB);
}

prekey_message sample_prekey_message() {
  prekey_message message;
  message.x3dh.identity_key = crypto::generate_identity().public_key;
  message.x3dh.base_key = crypto::x25519_generate().public_key;
  message.x3dh.signed_prekey_id = 9;
  message.x3dh.one_time_prekey_id = 0;  // zero is a valid id and must survive as "present"
  message.registration_id = max_registration_id;
  message.message = bytes_of("inner");
  return message;
}

TEST_CASE("client protocol: wire messages round-trip", "[client][protocol]") {
  const ratchet_header header{crypto::x25519_generate().public_key, 17,
                              std::numeric_limits<std::uint32_t>::max() - 1};
  const std::vector<std::uint8_t> header_bytes = encode_ratchet_header(header);
  result<ratchet_message> decoded =
      decode_ratchet_message(encode_ratchet_message(header_bytes, tag_sized_ciphertext()));
  REQUIRE(decoded.has_value());
  CHECK(decoded->header.ratchet_key == header.ratchet_key);
  CHECK(decoded->header.previous_chain_length == 17);
  CHECK(decoded->header.message_number == header.message_number);
  CHECK(decoded->header_bytes == header_bytes);
  CHECK(decoded->ciphertext == tag_sized_ciphertext());

  const prekey_message message = sample_prekey_message();
  result<prekey_message> prekey = decode_prekey_message(encode_prekey_message(message));
  REQUIRE(prekey.has_value());
  CHECK(prekey->x3dh.identity_key == message.x3dh.identity_key);
  CHECK(prekey->x3dh.base_key == message.x3dh.base_key);
  CHECK(prekey->x3dh.signed_prekey_id == 9);
  CHECK(prekey->x3dh.one_time_prekey_id == std::optional<std::uint32_t>(0));
  CHECK(prekey->registration_id == max_registration_id);
  CHECK(prekey->message == message.message);

  prekey_message without = message;
  without.x3dh.one_time_prekey_id.reset();
  result<prekey_message> decoded_without = decode_prekey_message(encode_prekey_message(without));
  REQUIRE(decoded_without.has_value());
  CHECK_FALSE(decoded_without->x3dh.one_time_prekey_id.has_value());
}

TEST_CASE("client protocol: message types map from the envelope", "[client][protocol]") {
  CHECK(to_message_type(1) == message_type::prekey);
  CHECK(to_message_type(2) == message_type::ratchet);
  CHECK_FALSE(to_message_type(0).has_value());
  CHECK_FALSE(to_message_type(3).has_value());
}

TEST_CASE("client protocol: wire decoders refuse out-of-range fields", "[client][protocol]") {
  const ratchet_header header{crypto::x25519_generate().public_key, 0, 0};
  std::vector<std::uint8_t> header_bytes = encode_ratchet_header(header);

  SECTION("ciphertext shorter than a tag") {
    std::vector<std::uint8_t> short_ciphertext = tag_sized_ciphertext();
    short_ciphertext.pop_back();
    CHECK(decode_ratchet_message(encode_ratchet_message(header_bytes, short_ciphertext)).error() ==
          protocol_error::malformed_message);
  }
  SECTION("message number UINT32_MAX") {
    ratchet_header last = header;
    last.message_number = std::numeric_limits<std::uint32_t>::max();
    CHECK(decode_ratchet_message(
              encode_ratchet_message(encode_ratchet_header(last), tag_sized_ciphertext()))
              .error() == protocol_error::malformed_message);
  }
  SECTION("ratchet key with the wrong type byte") {
    // The key is the first field: tag, length 33, then the type byte.
    REQUIRE(header_bytes[2] == crypto::curve25519_key_type);
    header_bytes[2] = crypto::ed25519_key_type;
    CHECK(decode_ratchet_message(encode_ratchet_message(header_bytes, tag_sized_ciphertext()))
              .error() == protocol_error::malformed_message);
  }
  SECTION("empty header") {
    CHECK(decode_ratchet_message(encode_ratchet_message({}, tag_sized_ciphertext())).error() ==
          protocol_error::malformed_message);
  }
  SECTION("registration id 0 and 16381") {
    prekey_message message = sample_prekey_message();
    message.registration_id = 0;
    CHECK(decode_prekey_message(encode_prekey_message(message)).error() ==
          protocol_error::malformed_message);
    message.registration_id = max_registration_id + 1;
    CHECK(decode_prekey_message(encode_prekey_message(message)).error() ==
          protocol_error::malformed_message);
  }
  SECTION("an empty prekey message") {
    CHECK(decode_prekey_message({}).error() == protocol_error::malformed_message);
  }
}

// Feeds `input` to every decoder and to both session entry points: none may crash or throw,
// and an established session must refuse it.
void feed_everywhere(std::span<const std::uint8_t> input, session& receiver,
                     const test_device& device) {
  CHECK_NOTHROW(decode_ratchet_message(input));
  CHECK_NOTHROW(decode_prekey_message(input));
  CHECK_NOTHROW(session::deserialize(input));
  // A copy, so a mutation that still authenticates (the registration id is not covered by
  // the AEAD, as in Signal) cannot use up the original's one-time prekey.
  in_memory_prekey_store prekeys = device.prekeys;
  CHECK_NOTHROW(session::accept(device.identity, prekeys, input));
  CHECK_FALSE(receiver.decrypt(message_type::ratchet, input).has_value());
  CHECK_FALSE(receiver.decrypt(message_type::prekey, input).has_value());
}

TEST_CASE("client protocol: decoders survive random garbage", "[client][protocol]") {
  test::conversation c = open_conversation();
  const crypto::secret_bytes<> before = c.bob.serialize();
  std::mt19937 rng(99);
  std::uniform_int_distribution<std::size_t> length(0, 300);
  for (int i = 0; i < 2000; ++i) {
    const std::vector<std::uint8_t> garbage = crypto::random_bytes(length(rng));
    feed_everywhere(garbage, c.bob, c.bob_device);
  }
  CHECK(c.bob.serialize() == before);
  CHECK(test::receive(c.bob, c.alice.encrypt(bytes_of("unharmed"))) == "unharmed");
}

TEST_CASE("client protocol: decoders survive mutated valid messages", "[client][protocol]") {
  test::conversation c = open_conversation();
  // A fresh responder to feed prekey messages to, and real messages to mutate.
  test_device carol = make_device(3333);
  result<session> to_carol = session::initiate(c.alice_device.identity, carol.bundle);
  REQUIRE(to_carol.has_value());
  const std::vector<outgoing_message> samples = {to_carol->encrypt(bytes_of("prekey sample")),
                                                 c.alice.encrypt(bytes_of("ratchet sample"))};
  const crypto::secret_bytes<> before = c.bob.serialize();
  std::mt19937 rng(5);
  for (const outgoing_message& sample : samples) {
    std::uniform_int_distribution<std::size_t> position(0, sample.content.size() - 1);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int i = 0; i < 1000; ++i) {
      std::vector<std::uint8_t> mutated = sample.content;
      for (int flips = 1 + i % 4; flips > 0; --flips) {
        mutated[position(rng)] = static_cast<std::uint8_t>(byte(rng));
      }
      if (i % 10 == 0) {
        mutated.resize(position(rng));
      }
      if (mutated == sample.content) {
        continue;
      }
      feed_everywhere(mutated, c.bob, carol);
    }
  }
  CHECK(c.bob.serialize() == before);
  CHECK(test::receive(c.bob, samples[1]) == "ratchet sample");
}

}  // namespace
}  // namespace sealpost::client::protocol
