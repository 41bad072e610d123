// A device's long-term identity key (DESIGN.md, "Keys, certificates, signatures"). The one
// secret is an Ed25519 seed. New identities are published in the 0x05 form, `0x05 ||` the
// X25519 key of the Ed25519 scalar, and sign XEdDSA-compatibly, so that libsignal and sender
// certificates accept them. Identities made before sealed sender keep the 0x0E form
// (`0x0E ||` the Ed25519 point A, plain Ed25519 signatures); the server accepts both.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "crypto/ed25519.hpp"
#include "crypto/key_encoding.hpp"
#include "crypto/x25519.hpp"

namespace sealpost::client::crypto {

enum class identity_form : std::uint8_t {
  curve25519 = curve25519_key_type,  // 0x05, the default
  ed25519 = ed25519_key_type,        // 0x0E, older state files
};

struct identity_key_pair {
  ed25519_seed seed;
  typed_public_key public_key{};  // exactly as published

  [[nodiscard]] identity_form form() const noexcept {
    return static_cast<identity_form>(public_key[0]);
  }
};

// A fresh identity in the 0x05 form. Throws crypto_error.
identity_key_pair generate_identity();

// The identity of `seed` published in `form`. Throws crypto_error.
identity_key_pair identity_from_seed(const ed25519_seed& seed, identity_form form);

// A signature that identity_verify accepts under `key.public_key`: RFC 8032 Ed25519 over
// `message`, with the sign of x(A) in the top bit of byte 63 for the 0x05 form.
// Throws crypto_error.
ed25519_signature identity_sign(const identity_key_pair& key,
                                std::span<const std::uint8_t> message);

// The X25519 private key that pairs with identity_dh_public_key(key.public_key): the
// clamped Ed25519 scalar, for X3DH and sealed sender. Throws crypto_error.
x25519_private_key identity_dh_private_key(const identity_key_pair& key);

// `typed` as an identity key of a peer: 33 bytes starting 0x05 or 0x0E. Says nothing about
// whether the bytes are a usable point (identity_dh_public_key does).
[[nodiscard]] std::optional<typed_public_key> decode_identity_key(
    std::span<const std::uint8_t> typed) noexcept;

// The X25519 key to run Diffie-Hellman with: the key itself for 0x05, the birational map of
// A for 0x0E; nullopt for anything decode_identity_key refuses and for an Ed25519 y with no
// X25519 image. Throws crypto_error.
[[nodiscard]] std::optional<x25519_public_key> identity_dh_public_key(
    std::span<const std::uint8_t> typed);

// True only for a valid signature by the identity key `typed` over `message`: XEdDSA for
// 0x05, Ed25519 for 0x0E; false for anything else. Throws crypto_error on internal failure.
[[nodiscard]] bool identity_verify(std::span<const std::uint8_t> typed,
                                   std::span<const std::uint8_t> message,
                                   std::span<const std::uint8_t> signature);

}  // namespace sealpost::client::crypto
