// The Double Ratchet (Signal's specification): state, initialisation for both X3DH roles,
// and message encryption / decryption with bounded skipped-message keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/secret_bytes.hpp"
#include "crypto/x25519.hpp"
#include "protocol/protocol_error.hpp"
#include "protocol/wire.hpp"
#include "protocol/x3dh.hpp"

namespace sealpost::client::protocol {

// HKDF info of KDF_RK (root chain) and of the message-key expansion into AEAD key and nonce.
inline constexpr std::string_view ratchet_root_info = "Sealpost_Ratchet_v1";
inline constexpr std::string_view ratchet_message_key_info = "Sealpost_MessageKeys_v1";

// The most message keys one received header may make us skip in one chain, and the most
// skipped keys a session keeps in all (the oldest are dropped first beyond that). Both
// bound what a forged or hostile header can make us compute and store.
inline constexpr std::uint32_t max_skip = 1000;
inline constexpr std::size_t max_skipped_keys = 2000;

inline constexpr std::size_t symmetric_key_size = 32;
using symmetric_key = crypto::secret_bytes<symmetric_key_size>;  // root, chain and message keys

struct skipped_message_key {
  crypto::x25519_public_key ratchet_key{};  // the remote ratchet key of its chain
  std::uint32_t message_number = 0;
  symmetric_key message_key;
};

// The spec's state variables: RK, DHs, DHr, CKs, CKr, Ns, Nr, PN, MKSKIPPED.
struct ratchet_state {
  symmetric_key root_key;
  crypto::x25519_key_pair sending_ratchet_key;
  std::optional<crypto::x25519_public_key> receiving_ratchet_key;
  std::optional<symmetric_key> sending_chain_key;
  std::optional<symmetric_key> receiving_chain_key;
  std::uint32_t sending_message_number = 0;
  std::uint32_t receiving_message_number = 0;
  std::uint32_t previous_sending_chain_length = 0;
  std::deque<skipped_message_key> skipped_message_keys;  // oldest first
};

// RatchetInitAlice: a fresh sending ratchet key against the responder's signed prekey.
// invalid_public_key when that key gives a low-order DH result. Throws crypto_error.
result<ratchet_state> ratchet_init_initiator(const shared_secret& secret,
                                             const crypto::x25519_public_key& remote_ratchet_key);

// RatchetInitBob: our signed prekey pair is the first sending ratchet key; there is no
// chain until the first message arrives. Throws crypto_error.
ratchet_state ratchet_init_responder(const shared_secret& secret,
                                     const crypto::x25519_key_pair& signed_prekey);

// Encrypts `plaintext` under the next sending message key with AD = `ad` || encoded header,
// wipes that key, and returns the encoded RatchetMessage. Throws std::logic_error when the
// state has no sending chain yet (a responder before its first received message) and
// std::overflow_error when the sending chain is exhausted (2^32 - 1 messages);
// crypto_error on internal failure.
std::vector<std::uint8_t> ratchet_encrypt(ratchet_state& state,
                                          std::span<const std::uint8_t> plaintext,
                                          std::span<const std::uint8_t> ad);

// Decrypts `message` with AD = `ad` || its header bytes. Works on a copy of `state` and
// commits it only when the message authenticated, so any refused message (tampered, forged,
// replayed, too far ahead) leaves `state` exactly as it was. duplicate_message for a used
// key of the current chain, too_many_skipped_messages past max_skip, invalid_public_key for
// a low-order ratchet key, decryption_failed otherwise. Throws crypto_error on internal
// failure.
result<crypto::secret_bytes<>> ratchet_decrypt(ratchet_state& state, const ratchet_message& message,
                                               std::span<const std::uint8_t> ad);

}  // namespace sealpost::client::protocol
