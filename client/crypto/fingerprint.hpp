// Safety numbers: Signal's 60-digit displayable fingerprint of two parties' identity keys.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sealpost::client::crypto {

// The iteration count Signal (and tests/vectors/fingerprint.json) uses.
inline constexpr std::uint32_t fingerprint_iterations = 5200;

// One party's 30 digits: h = SHA-512(0x00 0x00 || key || id || key), then iterations - 1
// rounds of h = SHA-512(h || key); the first 30 bytes of h as six 5-byte big-endian
// numbers, each mod 100000, zero-padded to 5 digits. `key` is the typed identity key
// (type byte included); `id` is used as its UTF-8 bytes. Throws std::invalid_argument if
// iterations is 0; crypto_error on internal failure.
std::string fingerprint_digits(std::uint32_t iterations, std::string_view id,
                               std::span<const std::uint8_t> key);

// The 60-digit safety number: both parties' digits, the smaller string first, so both
// sides display the same number. Throws as fingerprint_digits does.
std::string displayable_fingerprint(std::uint32_t iterations, std::string_view local_id,
                                    std::span<const std::uint8_t> local_key,
                                    std::string_view remote_id,
                                    std::span<const std::uint8_t> remote_key);

}  // namespace sealpost::client::crypto
