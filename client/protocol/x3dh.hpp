// X3DH key agreement (Signal's specification) with identity keys of either form, X25519 prekeys
// and no post-quantum part: both sides derive the same secret and associated data.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "crypto/key_encoding.hpp"
#include "crypto/secret_bytes.hpp"
#include "crypto/x25519.hpp"
#include "protocol/prekey.hpp"
#include "protocol/protocol_error.hpp"

namespace sealpost::client::protocol {

// HKDF info of the X3DH secret; changing it makes every new session incompatible.
inline constexpr std::string_view x3dh_info = "Sealpost_X3DH_v1";

inline constexpr std::size_t shared_secret_size = 32;
inline constexpr std::size_t associated_data_size = 2 * crypto::typed_key_size;

using shared_secret = crypto::secret_bytes<shared_secret_size>;
// Encode(IK_initiator) || Encode(IK_responder): both typed as published (0x05 or 0x0E).
using associated_data = std::array<std::uint8_t, associated_data_size>;

// What the initiator tells the responder so it can repeat the agreement: the public part
// of a prekey message.
struct x3dh_header {
  crypto::typed_public_key identity_key{};  // the initiator's
  crypto::x25519_public_key base_key{};     // the initiator's ephemeral key
  std::uint32_t signed_prekey_id = 0;
  std::optional<std::uint32_t> one_time_prekey_id;
};

struct x3dh_initiation {
  shared_secret secret;
  associated_data ad{};
  x3dh_header header;
  crypto::typed_public_key remote_identity_key{};
  // The responder's signed prekey: its first Double Ratchet public key.
  crypto::x25519_public_key remote_signed_prekey{};
};

struct x3dh_response {
  shared_secret secret;
  associated_data ad{};
  // Our signed prekey pair: our first Double Ratchet key pair.
  crypto::x25519_key_pair signed_prekey;
};

// The initiator's side against `bundle`: verifies the signed prekey's signature first and
// refuses the bundle (bad_signature) if it does not verify; invalid_identity_key /
// invalid_public_key for keys that are malformed or give a low-order DH result. The
// ephemeral private key is wiped before returning. Throws crypto_error on internal failure.
result<x3dh_initiation> x3dh_initiate(const local_identity& us, const prekey_bundle& bundle);

// The responder's side for `header`, with our private keys from `prekeys` (read only: the
// caller removes the one-time prekey once the first message authenticated).
// unknown_signed_prekey / unknown_one_time_prekey when an id is not in the store;
// invalid_identity_key / invalid_public_key as above. Throws crypto_error on internal failure.
result<x3dh_response> x3dh_respond(const local_identity& us, const prekey_store& prekeys,
                                   const x3dh_header& header);

// The associated data for the two identity keys, initiator first.
associated_data make_associated_data(const crypto::typed_public_key& initiator,
                                     const crypto::typed_public_key& responder) noexcept;

}  // namespace sealpost::client::protocol
