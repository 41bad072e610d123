// SHA-256, SHA-512 (EVP_Digest) and HMAC-SHA256 (EVP_MAC "HMAC").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/secret_bytes.hpp"

namespace sealpost::client::crypto {

inline constexpr std::size_t sha256_size = 32;
inline constexpr std::size_t sha512_size = 64;

using sha256_digest = std::array<std::uint8_t, sha256_size>;
using sha512_digest = std::array<std::uint8_t, sha512_size>;
// HMAC outputs are often keys (chain keys, message keys), so they are secrets by default.
using hmac_sha256_tag = secret_bytes<sha256_size>;

// Throw crypto_error on internal failure.
sha256_digest sha256(std::span<const std::uint8_t> data);
sha512_digest sha512(std::span<const std::uint8_t> data);
hmac_sha256_tag hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);

// True when `tag` is HMAC-SHA256(key, data), compared in constant time; a tag of the wrong
// length is false. Throws crypto_error on internal failure.
[[nodiscard]] bool hmac_sha256_verify(std::span<const std::uint8_t> key,
                                      std::span<const std::uint8_t> data,
                                      std::span<const std::uint8_t> tag);

}  // namespace sealpost::client::crypto
