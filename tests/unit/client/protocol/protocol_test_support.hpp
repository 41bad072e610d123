// Shared fixtures for the protocol tests: devices with prekeys, bundles, and open sessions.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/identity_key.hpp"
#include "crypto/key_encoding.hpp"
#include "crypto/x25519.hpp"
#include "protocol/prekey.hpp"
#include "protocol/session.hpp"

namespace sealpost::client::protocol::test {

inline constexpr std::uint32_t signed_prekey_id = 7;
inline constexpr std::uint32_t one_time_prekey_id = 42;

// A device as its owner sees it (identity, private prekeys) plus the bundle the server
// would hand out for it.
struct test_device {
  local_identity identity;
  in_memory_prekey_store prekeys;
  prekey_bundle bundle;
};

// `form` picks the identity key's published form: 0x05 by default, 0x0E as older state
// files have it.
inline test_device make_device(std::uint32_t registration_id, bool with_one_time_prekey = true,
                               crypto::identity_form form = crypto::identity_form::curve25519) {
  test_device device;
  device.identity = {crypto::identity_from_seed(crypto::generate_identity().seed, form),
                     registration_id};
  const crypto::typed_public_key& identity = device.identity.identity_key.public_key;
  device.bundle.registration_id = registration_id;
  device.bundle.identity_key.assign(identity.begin(), identity.end());

  crypto::x25519_key_pair signed_prekey = crypto::x25519_generate();
  device.bundle.signed_prekey =
      make_signed_prekey(device.identity.identity_key, signed_prekey_id, signed_prekey.public_key);
  device.prekeys.add_signed_prekey(signed_prekey_id, std::move(signed_prekey));
  if (with_one_time_prekey) {
    crypto::x25519_key_pair one_time = crypto::x25519_generate();
    const crypto::typed_public_key typed = crypto::encode_x25519_public_key(one_time.public_key);
    device.bundle.one_time_prekey =
        one_time_prekey_public{one_time_prekey_id, {typed.begin(), typed.end()}};
    device.prekeys.add_one_time_prekey(one_time_prekey_id, std::move(one_time));
  }
  return device;
}

inline std::vector<std::uint8_t> bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

inline std::string text_of(const crypto::secret_bytes<>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Decrypts `message` at `receiver` and requires it to succeed.
inline std::string receive(session& receiver, const outgoing_message& message) {
  result<crypto::secret_bytes<>> plaintext = receiver.decrypt(message.type, message.content);
  INFO("error: " << (plaintext ? "none" : describe(plaintext.error())));
  REQUIRE(plaintext.has_value());
  return text_of(*plaintext);
}

// Two devices with a session each way already confirmed: Alice initiated, Bob accepted
// Alice's first message and replied, and Alice decrypted the reply.
struct conversation {
  test_device alice_device;
  test_device bob_device;
  session alice;
  session bob;
};

inline conversation open_conversation() {
  test_device alice_device = make_device(1111);
  test_device bob_device = make_device(2222);
  result<session> alice = session::initiate(alice_device.identity, bob_device.bundle);
  REQUIRE(alice.has_value());
  const outgoing_message hello = alice->encrypt(bytes_of("hello"));
  REQUIRE(hello.type == message_type::prekey);
  result<accepted_session> accepted =
      session::accept(bob_device.identity, bob_device.prekeys, hello.content);
  REQUIRE(accepted.has_value());
  REQUIRE(text_of(accepted->plaintext) == "hello");
  session bob = std::move(accepted->session);
  const outgoing_message reply = bob.encrypt(bytes_of("hi"));
  REQUIRE(reply.type == message_type::ratchet);
  REQUIRE(receive(*alice, reply) == "hi");
  REQUIRE_FALSE(alice->awaiting_reply());
  return {std::move(alice_device), std::move(bob_device), std::move(*alice), std::move(bob)};
}

}  // namespace sealpost::client::protocol::test
