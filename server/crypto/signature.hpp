// Verification of signatures made by a device's identity key (XEdDSA or Ed25519).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/typed_key.hpp"
#include "xeddsa/xeddsa.hpp"

namespace sealpost::crypto {

inline constexpr std::size_t signature_size = xeddsa::signature_size;

// True when `signature` is a valid signature by `identity_key` over exactly `message`:
// Ed25519 (RFC 8032, via OpenSSL) for 0x0E keys; XEdDSA as libsignal makes it for 0x05
// keys (the Edwards sign bit travels in the top bit of signature[63]). False for every
// bad input: a signature that is not 64 bytes, a KEM key, a Curve25519 u-coordinate that
// is not a canonical field element (u >= p) or is -1, a non-canonical s (s >= L).
// Throws std::runtime_error only when OpenSSL itself fails (allocation, missing provider);
// bad input never throws.
bool verify_signature(const typed_key& identity_key, std::span<const std::uint8_t> message,
                      std::span<const std::uint8_t> signature);

}  // namespace sealpost::crypto
