// X25519 forms of Ed25519 identity keys (the standard birational map), so identity keys
// can take part in X3DH's Diffie-Hellman steps.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "crypto/ed25519.hpp"
#include "crypto/x25519.hpp"

namespace sealpost::client::crypto {

// The X25519 private scalar of an Ed25519 key: the first 32 bytes of SHA-512(seed), i.e.
// the same scalar Ed25519 signs with (X25519 applies the clamping). Its X25519 public key
// equals x25519_public_from_ed25519_public(ed25519_public_from_seed(seed)).
// Throws crypto_error on internal failure.
x25519_private_key x25519_private_from_ed25519_seed(const ed25519_seed& seed);

// The Montgomery u = (1 + y) / (1 - y) mod 2^255-19 of an Ed25519 public key (the sign bit
// of x is ignored). Returns nullopt when y is not canonical (y >= p) or y = 1 (the
// identity point, which has no image). Throws crypto_error on internal failure.
[[nodiscard]] std::optional<x25519_public_key> x25519_public_from_ed25519_public(
    std::span<const std::uint8_t, 32> ed25519_public);

}  // namespace sealpost::client::crypto
