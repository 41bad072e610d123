// The client wire format (proto/sealpost/v1/client.proto) as typed values: encoders for what
// we send and total decoders for what we receive.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "crypto/x25519.hpp"
#include "protocol/protocol_error.hpp"
#include "protocol/x3dh.hpp"

namespace sealpost::client::protocol {

// The Envelope `type` of a client message.
enum class message_type : std::uint32_t {
  prekey = 1,   // a PrekeyMessage: opens a session (X3DH) and carries a ratchet message
  ratchet = 2,  // a RatchetMessage within an established session
};

// The message type for an Envelope's `type` field, or nullopt for any other value.
[[nodiscard]] std::optional<message_type> to_message_type(std::uint32_t envelope_type) noexcept;

struct ratchet_header {
  crypto::x25519_public_key ratchet_key{};
  std::uint32_t previous_chain_length = 0;
  std::uint32_t message_number = 0;
};

// A received ratchet message. `header_bytes` are the header exactly as sent: they, not a
// re-encoding of `header`, are what the AEAD authenticates.
struct ratchet_message {
  ratchet_header header;
  std::vector<std::uint8_t> header_bytes;
  std::vector<std::uint8_t> ciphertext;
};

struct prekey_message {
  x3dh_header x3dh;
  std::uint32_t registration_id = 0;
  std::vector<std::uint8_t> message;  // an encoded RatchetMessage
};

std::vector<std::uint8_t> encode_ratchet_header(const ratchet_header& header);
std::vector<std::uint8_t> encode_ratchet_message(std::span<const std::uint8_t> header_bytes,
                                                 std::span<const std::uint8_t> ciphertext);
std::vector<std::uint8_t> encode_prekey_message(const prekey_message& message);

// Total over any input: malformed_message when the bytes do not parse, a key is not of its
// type and size, the ciphertext is shorter than an AEAD tag, the message number is
// UINT32_MAX (a sender never reaches it), or the registration id is out of range.
result<ratchet_message> decode_ratchet_message(std::span<const std::uint8_t> bytes);
result<prekey_message> decode_prekey_message(std::span<const std::uint8_t> bytes);

}  // namespace sealpost::client::protocol
