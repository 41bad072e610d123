// Signature verification for the two identity-key forms of DESIGN.md, shared by the server
// (uploads, certificates) and the client (bundles, certificate chains): Ed25519 (RFC 8032)
// and XEdDSA as libsignal makes it, where a Curve25519 (Montgomery) key verifies signatures
// made by its Ed25519 twin and the Edwards sign bit travels in the top bit of signature[63].
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sealpost::xeddsa {

inline constexpr std::size_t key_size = 32;
inline constexpr std::size_t signature_size = 64;

// True when `signature` is a valid RFC 8032 Ed25519 signature by `edwards_public` over
// exactly `message`. False for every bad input: a signature that is not 64 bytes, a key that
// is not a point, a non-canonical s (s >= L). Throws std::runtime_error only when OpenSSL
// itself fails (allocation, missing provider).
[[nodiscard]] bool verify_ed25519(std::span<const std::uint8_t, key_size> edwards_public,
                                  std::span<const std::uint8_t> message,
                                  std::span<const std::uint8_t> signature);

// True when `signature` is a valid XEdDSA signature by the Curve25519 key `montgomery_u`
// over exactly `message`. False for every bad input, as above, and for a u that is not a
// canonical field element (u >= p) or is -1 (no Edwards image). Throws as above.
[[nodiscard]] bool verify(std::span<const std::uint8_t, key_size> montgomery_u,
                          std::span<const std::uint8_t> message,
                          std::span<const std::uint8_t> signature);

// Turns the RFC 8032 signature of the key whose public point is `edwards_public` into the
// XEdDSA signature that the key's 0x05 (Montgomery) form verifies: s < L < 2^253, so the top
// bit of signature[63] is free to carry the sign of x(A).
inline void add_sign_bit(std::span<std::uint8_t, signature_size> signature,
                         std::span<const std::uint8_t, key_size> edwards_public) noexcept {
  signature[signature_size - 1] |= edwards_public[key_size - 1] & 0x80;
}

}  // namespace sealpost::xeddsa
