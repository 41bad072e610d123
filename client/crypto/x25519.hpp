// X25519 (RFC 7748) key pairs and Diffie-Hellman over OpenSSL EVP_PKEY.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "crypto/secret_bytes.hpp"

namespace sealpost::client::crypto {

inline constexpr std::size_t x25519_key_size = 32;

// The raw 32-byte u-coordinate, without the 0x05 type byte of the wire encoding.
using x25519_public_key = std::array<std::uint8_t, x25519_key_size>;
// The raw 32-byte scalar as stored; X25519 clamps it on every use.
using x25519_private_key = secret_bytes<x25519_key_size>;
using x25519_shared_secret = secret_bytes<x25519_key_size>;

struct x25519_key_pair {
  x25519_private_key private_key;
  x25519_public_key public_key{};
};

// A fresh key pair from OpenSSL's generator. Throws crypto_error.
x25519_key_pair x25519_generate();

// The public key for `private_key`. Throws crypto_error.
x25519_public_key x25519_public_from_private(const x25519_private_key& private_key);

// X25519(private_key, peer_public_key). Returns nullopt when the result is all zero, i.e.
// the peer sent a low-order point (RFC 7748 section 6.1), which must not be used as a
// shared secret. Throws crypto_error on internal failure.
[[nodiscard]] std::optional<x25519_shared_secret> x25519_dh(
    const x25519_private_key& private_key, std::span<const std::uint8_t, 32> peer_public_key);

}  // namespace sealpost::client::crypto
