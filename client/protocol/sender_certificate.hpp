// Sealed-sender sender certificates as libsignal checks them (DESIGN.md, "Sealed sender":
// keys, certificates, signatures): the chain trust root -> server certificate -> sender
// certificate, checked against the pinned trust root at a given time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "crypto/key_encoding.hpp"
#include "protocol/protocol_error.hpp"

namespace sealpost::client::protocol {

// The largest serialized SenderCertificate validate_sender_certificate reads. A real one
// (server certificate embedded) is about 300 bytes.
inline constexpr std::size_t max_sender_certificate_size = 4096;

// What a valid sender certificate vouches for.
struct sender_certificate_claims {
  std::string sender_account;               // canonical lowercase UUID text (field 6)
  std::uint32_t sender_device = 0;          // 1..127
  crypto::typed_public_key identity_key{};  // the sender device's identity key, 0x05 || 32 bytes
  std::uint64_t expires_ms = 0;
  std::uint32_t server_key_id = 0;
};

// Checks the whole chain by libsignal's rules and returns what the certificate says. Total
// over any input: never throws on bad `certificate` bytes (crypto_error only on an internal
// OpenSSL failure). Checked in this order, the first failure returned:
// - malformed_certificate: over max_sender_certificate_size, does not parse, or a required
//   field is missing (proto2 presence: certificate and signature of both the sender and the
//   embedded server certificate (`signer`, field 5); sender_device, expires, identity_key,
//   signer, sender_uuid; the server certificate's id and key), or the server key is not
//   0x05 || 32 bytes;
// - untrusted_certificate: `trust_root` (a 0x05 key; any other type verifies nothing) does
//   not verify the server certificate's signature over its exact certificate bytes; its key
//   id is 0, 0xDEADC357 (revoked inside libsignal) or 0x7357C357 (libsignal's test key); or
//   the server key does not verify the sender certificate's signature over its exact
//   certificate bytes (so re-encoded bytes are refused even when they decode the same);
// - malformed_certificate: the signed fields are out of range: sender_uuid not canonical
//   lowercase UUID text, sender_device not 1..127, identity_key not 0x05 || 32 bytes;
// - expired_certificate: at_ms > expires (valid while at_ms <= expires). Signatures are
//   checked first, so a forged certificate is never reported as merely expired.
// Receivers pass the envelope's server_timestamp as at_ms, as libsignal's clients do.
result<sender_certificate_claims> validate_sender_certificate(
    std::span<const std::uint8_t> certificate, const crypto::typed_public_key& trust_root,
    std::uint64_t at_ms);

}  // namespace sealpost::client::protocol
