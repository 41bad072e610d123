// Ed25519 (RFC 8032, pure) key pairs, signing and verification over OpenSSL EVP.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/secret_bytes.hpp"

namespace sealpost::client::crypto {

inline constexpr std::size_t ed25519_key_size = 32;
inline constexpr std::size_t ed25519_signature_size = 64;

// The 32-byte seed RFC 8032 calls the private key; the signing scalar is derived from it.
using ed25519_seed = secret_bytes<ed25519_key_size>;
// The raw 32-byte encoded point, without the 0x0E type byte of an identity key.
using ed25519_public_key = std::array<std::uint8_t, ed25519_key_size>;
using ed25519_signature = std::array<std::uint8_t, ed25519_signature_size>;

struct ed25519_key_pair {
  ed25519_seed seed;
  ed25519_public_key public_key{};
};

// A fresh key pair from OpenSSL's generator. Throws crypto_error.
ed25519_key_pair ed25519_generate();

// The public key for `seed`. Throws crypto_error.
ed25519_public_key ed25519_public_from_seed(const ed25519_seed& seed);

// The (deterministic) signature of `message`. Throws crypto_error.
ed25519_signature ed25519_sign(const ed25519_seed& seed, std::span<const std::uint8_t> message);

// True only for a valid signature by `public_key` over `message`. A signature of the wrong
// length, a public key that is not a point, or a bad signature all give false. Throws
// crypto_error only on internal failure.
[[nodiscard]] bool ed25519_verify(std::span<const std::uint8_t, 32> public_key,
                                  std::span<const std::uint8_t> message,
                                  std::span<const std::uint8_t> signature);

}  // namespace sealpost::client::crypto
