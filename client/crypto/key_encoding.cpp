// Type-byte framing of X25519 and Ed25519 public keys.
#include "crypto/key_encoding.hpp"

#include <algorithm>

namespace sealpost::client::crypto {
namespace {

typed_public_key encode(std::uint8_t type, std::span<const std::uint8_t, 32> key) noexcept {
  typed_public_key typed{};
  typed[0] = type;
  std::copy(key.begin(), key.end(), typed.begin() + 1);
  return typed;
}

std::optional<std::array<std::uint8_t, 32>> decode(std::uint8_t type,
                                                   std::span<const std::uint8_t> typed) noexcept {
  if (typed.size() != typed_key_size || typed[0] != type) {
    return std::nullopt;
  }
  std::array<std::uint8_t, 32> key{};
  std::copy(typed.begin() + 1, typed.end(), key.begin());
  return key;
}

}  // namespace

typed_public_key encode_x25519_public_key(std::span<const std::uint8_t, 32> key) noexcept {
  return encode(curve25519_key_type, key);
}

typed_public_key encode_ed25519_public_key(std::span<const std::uint8_t, 32> key) noexcept {
  return encode(ed25519_key_type, key);
}

std::optional<x25519_public_key> decode_x25519_public_key(
    std::span<const std::uint8_t> typed) noexcept {
  return decode(curve25519_key_type, typed);
}

std::optional<ed25519_public_key> decode_ed25519_public_key(
    std::span<const std::uint8_t> typed) noexcept {
  return decode(ed25519_key_type, typed);
}

}  // namespace sealpost::client::crypto
