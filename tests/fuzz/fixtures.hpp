// Fixed keys and sessions shared by the client-side fuzz targets and the seed generator
// (make_seeds.cpp), so that seed inputs made once keep decrypting in every fuzzing run:
// everything here is derived from constant bytes, nothing from a random generator.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/ed25519.hpp"
#include "crypto/identity_key.hpp"
#include "crypto/secret_bytes.hpp"
#include "crypto/x25519.hpp"
#include "protocol/prekey.hpp"
#include "protocol/session.hpp"

namespace sealpost::fuzz {

namespace ccrypto = sealpost::client::crypto;
namespace protocol = sealpost::client::protocol;

// 32 constant bytes per tag.
std::vector<std::uint8_t> fixed_bytes(std::uint8_t tag);
ccrypto::ed25519_key_pair fixed_ed25519(std::uint8_t tag);
// A client identity in the 0x05 form, as the reference client makes them.
ccrypto::identity_key_pair fixed_identity(std::uint8_t tag);
ccrypto::x25519_key_pair fixed_x25519(std::uint8_t tag);

// The identity key the server "has stored" for the device that sends PUT /v1/keys in the
// device_body target (0x0E typed, as raw bytes); its seed signs that target's key seeds.
inline constexpr std::uint8_t stored_identity_tag = 0x11;
std::string stored_identity_key();

// The client-side world: we are Bob (the responder, whose prekeys and session the
// ratchet_message target uses); Alice is the peer who writes the messages.
// The sealed-sender trust root and server key of the sender_certificate target and its
// seeds, and the time the target checks certificates at.
inline constexpr std::uint8_t certificate_root_tag = 0x71;
inline constexpr std::uint8_t certificate_server_tag = 0x72;
inline constexpr std::uint64_t certificate_check_ms = 1700000000000;

inline constexpr std::uint8_t alice_tag = 0xA1;
inline constexpr std::uint8_t bob_tag = 0xB0;
inline constexpr std::uint32_t alice_registration_id = 4321;
inline constexpr std::uint32_t bob_registration_id = 1234;
inline constexpr std::uint32_t bob_signed_prekey_id = 1;
inline constexpr std::uint32_t bob_one_time_prekey_ids[] = {7, 8};

protocol::local_identity alice_identity();
protocol::local_identity bob_identity();
// Bob's signed prekey (id 1) and one-time prekeys (ids 7 and 8).
protocol::in_memory_prekey_store bob_prekeys();
// Bob's bundle as the server would hand it to Alice, with one-time prekey 7 or none.
protocol::prekey_bundle bob_bundle(bool with_one_time_prekey);

// Bob's established session with Alice, before any message of Alice's current sending
// chain arrived: root key and Bob's ratchet key are fixed, there is no receiving chain
// yet, and the session's X3DH base key is fixed too. Alice's side of it is
// ratchet_init_initiator(bob_session_root_key(), bob_session_ratchet_key().public_key),
// with AD = (Alice, Bob); she wraps messages in prekey messages naming
// bob_session_base_key() while she has not heard back.
protocol::session bob_session();
protocol::symmetric_key bob_session_root_key();
ccrypto::x25519_key_pair bob_session_ratchet_key();
ccrypto::x25519_public_key bob_session_base_key();

}  // namespace sealpost::fuzz
