// AEAD: AES-256-GCM and ChaCha20-Poly1305 with 12-byte nonces and 16-byte tags (OpenSSL EVP).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "crypto/secret_bytes.hpp"

namespace sealpost::client::crypto {

inline constexpr std::size_t aead_key_size = 32;
inline constexpr std::size_t aead_nonce_size = 12;
inline constexpr std::size_t aead_tag_size = 16;

using aead_key = secret_bytes<aead_key_size>;
using aead_nonce = std::array<std::uint8_t, aead_nonce_size>;

// Seal returns ciphertext || tag (plaintext size + aead_tag_size bytes). A nonce must never
// be reused with the same key. Throws std::invalid_argument for inputs over INT_MAX bytes;
// crypto_error on internal failure.
std::vector<std::uint8_t> aes_256_gcm_seal(const aead_key& key,
                                           std::span<const std::uint8_t, aead_nonce_size> nonce,
                                           std::span<const std::uint8_t> plaintext,
                                           std::span<const std::uint8_t> associated_data);

// Open takes ciphertext || tag and returns the plaintext, or nullopt when the input is
// shorter than a tag or does not authenticate (wrong key, nonce, associated data, or any
// modified byte); no unauthenticated plaintext is ever returned. Throws as seal does.
[[nodiscard]] std::optional<secret_bytes<>> aes_256_gcm_open(
    const aead_key& key, std::span<const std::uint8_t, aead_nonce_size> nonce,
    std::span<const std::uint8_t> sealed, std::span<const std::uint8_t> associated_data);

// Same contracts as the AES-256-GCM pair (RFC 8439 construction).
std::vector<std::uint8_t> chacha20_poly1305_seal(
    const aead_key& key, std::span<const std::uint8_t, aead_nonce_size> nonce,
    std::span<const std::uint8_t> plaintext, std::span<const std::uint8_t> associated_data);

[[nodiscard]] std::optional<secret_bytes<>> chacha20_poly1305_open(
    const aead_key& key, std::span<const std::uint8_t, aead_nonce_size> nonce,
    std::span<const std::uint8_t> sealed, std::span<const std::uint8_t> associated_data);

}  // namespace sealpost::client::crypto
