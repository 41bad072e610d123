// AES-256 in counter mode (NIST SP 800-38A) over OpenSSL EVP, unauthenticated: callers MAC.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace sealpost::client::crypto {

inline constexpr std::size_t aes_256_ctr_key_size = 32;
inline constexpr std::size_t aes_ctr_counter_size = 16;

// XORs `input` with the AES-256-CTR keystream that starts at the counter block
// `initial_counter` (incremented as one 128-bit big-endian integer, as OpenSSL and
// SP 800-38A do) and writes the result to `output`. Encryption and decryption are the same
// operation. `output` must be exactly as long as `input` and must not overlap it partially
// (the same buffer for both is fine). A (key, counter) pair must never encrypt two
// different messages. Throws std::invalid_argument when the sizes differ or exceed INT_MAX;
// crypto_error on internal failure.
void aes_256_ctr_xor(std::span<const std::uint8_t, aes_256_ctr_key_size> key,
                     std::span<const std::uint8_t, aes_ctr_counter_size> initial_counter,
                     std::span<const std::uint8_t> input, std::span<std::uint8_t> output);

// The same, into a new buffer. For public outputs (ciphertexts); decrypt secrets with
// aes_256_ctr_xor into a secret_bytes buffer. Throws as aes_256_ctr_xor does.
std::vector<std::uint8_t> aes_256_ctr(
    std::span<const std::uint8_t, aes_256_ctr_key_size> key,
    std::span<const std::uint8_t, aes_ctr_counter_size> initial_counter,
    std::span<const std::uint8_t> input);

}  // namespace sealpost::client::crypto
