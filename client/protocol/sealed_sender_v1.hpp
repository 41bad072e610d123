// libsignal's single-recipient sealed sender (SSv1, version byte 0x11): seal and open the
// outer layer, and encode / decode the content inside it (docs/sealed-sender-format.md).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "crypto/secret_bytes.hpp"
#include "crypto/x25519.hpp"
#include "protocol/protocol_error.hpp"

namespace sealpost::client::protocol {

inline constexpr std::uint8_t sealed_sender_v1_version = 0x11;
// A typed public key as published: 0x05 || X25519 u, or (identity keys of old devices only)
// 0x0E || Ed25519 A.
inline constexpr std::size_t sealed_sender_typed_key_size = 33;
using sealed_sender_typed_key = std::array<std::uint8_t, sealed_sender_typed_key_size>;
using typed_key_view = std::span<const std::uint8_t, sealed_sender_typed_key_size>;

// libsignal's UnidentifiedSenderMessage.Message.Type: what `content` holds.
enum class sealed_content_type : std::uint32_t {
  prekey_message = 1,     // a PreKeySignalMessage
  message = 2,            // a SignalMessage
  senderkey_message = 7,  // a SenderKeyMessage (group)
  plaintext_content = 8,  // a PlaintextContent (e.g. a decryption-error notice)
};

// The plaintext inside a sealed message ("USMC"), field for field as on the wire.
struct sealed_sender_content {
  sealed_content_type type = sealed_content_type::message;
  std::vector<std::uint8_t> sender_certificate;  // a serialized SenderCertificate, unchecked
  std::vector<std::uint8_t> content;
  // libsignal's ContentHint: absent = default, 1 resendable, 2 implicit; other values are
  // kept as they came. libsignal never writes 0 or an empty group id; this encoder writes
  // whatever is set.
  std::optional<std::uint32_t> content_hint;
  std::optional<std::vector<std::uint8_t>> group_id;

  friend bool operator==(const sealed_sender_content&, const sealed_sender_content&) = default;
};

// The protobuf bytes of `content`: type, sender_certificate and content always written.
std::vector<std::uint8_t> encode_sealed_sender_content(const sealed_sender_content& content);

// Total over any input: malformed_message when the bytes do not parse, the type,
// sender_certificate or content field is missing, or the type is not one of
// sealed_content_type. Unknown fields are ignored, as libsignal does. Does not parse or
// check the sender certificate.
result<sealed_sender_content> decode_sealed_sender_content(std::span<const std::uint8_t> bytes);

// What open_sealed_sender_v1 recovers.
struct sealed_sender_v1_opened {
  // The sender's identity key as sealed (always 0x05 || u). The caller must check that the
  // sender certificate inside `content` names exactly this key (libsignal's
  // sealed_sender_decrypt_to_usmc does the same), and validate the certificate, before
  // trusting either.
  sealed_sender_typed_key sender_identity{};
  crypto::secret_bytes<> content;  // an encoded sealed_sender_content
};

// The largest content seal_sealed_sender_v1 takes (64 MiB, far above any message limit).
inline constexpr std::size_t max_sealed_sender_content_size = std::size_t{64} << 20;

// Seals `content` (an encoded sealed_sender_content) from the sender to the recipient with a
// fresh ephemeral key; returns 0x11 || UnidentifiedSenderMessage, as libsignal's
// sealed_sender_encrypt_from_usmc does.
// - recipient_identity: the recipient's identity key exactly as published (it is hashed
//   into the key derivation); recipient_dh_public: its X25519 form, used for the
//   Diffie-Hellman steps (the same u for a 0x05 key; the birational map of A for 0x0E).
// - sender_identity: our identity key as published, which must be a 0x05 key (libsignal
//   reads no other type, and 0x0E devices get no sender certificate);
//   sender_dh_private: its X25519 private key.
// Returns invalid_identity_key when the recipient key has another type byte, is a 0x05 key
// whose u differs from recipient_dh_public, or is a low-order point. Throws
// std::invalid_argument when sender_identity is not 0x05 || the public key of
// sender_dh_private, or `content` is over max_sealed_sender_content_size;
// crypto_error on internal failure.
result<std::vector<std::uint8_t>> seal_sealed_sender_v1(
    typed_key_view recipient_identity, std::span<const std::uint8_t, 32> recipient_dh_public,
    typed_key_view sender_identity, const crypto::x25519_private_key& sender_dh_private,
    std::span<const std::uint8_t> content);

// Opens a message made by seal_sealed_sender_v1 (or libsignal) for us. our_identity is our
// identity key as published (0x05 or 0x0E), our_dh_private its X25519 private key.
// Errors, checked in this order, with nothing returned on any of them:
// - unsupported_sealed_sender_version: empty, or the first byte is not 0x11 (an SSv2 0x22
//   message, or a future version);
// - malformed_message: the rest is not exactly the canonical protobuf encoding of the
//   three fields (no field missing, repeated, unknown or out of order), the ephemeral key
//   is not 0x05 || 32 bytes, encrypted_static is not 33 + 10 bytes, or encrypted_message
//   is shorter than its 10-byte MAC;
// - invalid_public_key: the ephemeral key is a low-order point;
// - decryption_failed: the truncated HMAC over encrypted_static does not verify
//   (constant-time compare): a wrong recipient, or any modified byte;
// - invalid_identity_key: the sealed sender key is not 0x05 or is a low-order point;
// - decryption_failed: the truncated HMAC over encrypted_message does not verify.
// Throws std::invalid_argument when our_identity is not a 0x05 or 0x0E key, or is 0x05
// but not the public key of our_dh_private; crypto_error on internal failure.
result<sealed_sender_v1_opened> open_sealed_sender_v1(
    typed_key_view our_identity, const crypto::x25519_private_key& our_dh_private,
    std::span<const std::uint8_t> message);

namespace detail {

// For tests and test vectors only: seal_sealed_sender_v1 with a given ephemeral key pair
// (its public_key is written as given, so it must belong to its private_key). Reusing an
// ephemeral key across messages breaks the scheme; production code calls
// seal_sealed_sender_v1, which draws a fresh one every time.
result<std::vector<std::uint8_t>> seal_sealed_sender_v1_with_ephemeral(
    typed_key_view recipient_identity, std::span<const std::uint8_t, 32> recipient_dh_public,
    typed_key_view sender_identity, const crypto::x25519_private_key& sender_dh_private,
    std::span<const std::uint8_t> content, const crypto::x25519_key_pair& ephemeral);

}  // namespace detail

}  // namespace sealpost::client::protocol
