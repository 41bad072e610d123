// The typed public-key encoding of the wire format: one type byte, then the raw 32 bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "crypto/ed25519.hpp"
#include "crypto/x25519.hpp"

namespace sealpost::client::crypto {

inline constexpr std::uint8_t curve25519_key_type = 0x05;  // prekeys, identity keys (X25519)
inline constexpr std::uint8_t ed25519_key_type = 0x0E;     // older identity keys (Ed25519)
inline constexpr std::size_t typed_key_size = 33;

using typed_public_key = std::array<std::uint8_t, typed_key_size>;

typed_public_key encode_x25519_public_key(std::span<const std::uint8_t, 32> key) noexcept;
typed_public_key encode_ed25519_public_key(std::span<const std::uint8_t, 32> key) noexcept;

// The raw key, or nullopt unless `typed` is 33 bytes starting with the expected type byte.
// Says nothing about whether the bytes are a valid point.
[[nodiscard]] std::optional<x25519_public_key> decode_x25519_public_key(
    std::span<const std::uint8_t> typed) noexcept;
[[nodiscard]] std::optional<ed25519_public_key> decode_ed25519_public_key(
    std::span<const std::uint8_t> typed) noexcept;

}  // namespace sealpost::client::crypto
