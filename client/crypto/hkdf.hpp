// HKDF-SHA256 (RFC 5869) extract-and-expand over OpenSSL's EVP_KDF "HKDF".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/secret_bytes.hpp"

namespace sealpost::client::crypto {

// The most HKDF-SHA256 can produce: 255 blocks of 32 bytes.
inline constexpr std::size_t hkdf_sha256_max_length = std::size_t{255} * 32;

// `length` bytes of HKDF-SHA256(salt, input_key_material, info). An empty salt means
// HashLen zero bytes, as RFC 5869 specifies. Throws std::invalid_argument unless
// 1 <= length <= hkdf_sha256_max_length; crypto_error on internal failure.
secret_bytes<> hkdf_sha256(std::span<const std::uint8_t> input_key_material,
                           std::span<const std::uint8_t> salt, std::span<const std::uint8_t> info,
                           std::size_t length);

}  // namespace sealpost::client::crypto
