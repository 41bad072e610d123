// Commitments to a label's value (draft-ietf-keytrans-protocol §11.5-§11.6): the prefix tree
// stores commitment = HMAC-SHA256(Kc, CommitmentValue), so a leaf reveals nothing about the
// value until the log hands out the opening.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "keytrans/tls_codec.hpp"

namespace sealpost::keytrans {

// Nc of KT_128_SHA256_P256 (§17.1).
inline constexpr std::size_t commitment_opening_size = 16;
inline constexpr std::size_t commitment_size = 32;

using commitment_opening = std::array<std::uint8_t, commitment_opening_size>;
using commitment_digest = std::array<std::uint8_t, commitment_size>;

// Kc of KT_128_SHA256_P256 (DESIGN.md, "Suite, configuration, keys").
inline constexpr std::array<std::uint8_t, 16> commitment_key{
    0xd8, 0x21, 0xf8, 0x79, 0x0d, 0x97, 0x70, 0x97, 0x96, 0xb4, 0xd7, 0x90, 0x33, 0x57, 0xc3, 0xf5};

// A fresh opening from OpenSSL's private DRBG (the opening must stay unguessable until it is
// revealed). Throws std::runtime_error if OpenSSL cannot produce random bytes.
commitment_opening new_commitment_opening();

// The encoded CommitmentValue {opening[Nc], label<0..2^8-1>, uint32 version, UpdateValue} with
// UpdateValue = {value<0..2^32-1>} and the empty contactMonitoring suffix. nullopt when the label
// is longer than 255 bytes or the value longer than 2^32-1 bytes. The result contains the
// opening: wipe it (OPENSSL_cleanse) when it is a secret.
std::optional<bytes> encode_commitment_value(const commitment_opening& opening,
                                             std::span<const std::uint8_t> label,
                                             std::uint32_t version,
                                             std::span<const std::uint8_t> value);

// HMAC-SHA256(Kc, CommitmentValue). nullopt when the CommitmentValue cannot be encoded (see
// above). Throws std::runtime_error only when OpenSSL fails.
std::optional<commitment_digest> compute_commitment(const commitment_opening& opening,
                                                    std::span<const std::uint8_t> label,
                                                    std::uint32_t version,
                                                    std::span<const std::uint8_t> value);

// True when `opening` (from the wire: anything but Nc bytes is refused) opens `commitment` to
// (label, version, value). Compares in constant time.
bool verify_commitment(std::span<const std::uint8_t> commitment,
                       std::span<const std::uint8_t> opening, std::span<const std::uint8_t> label,
                       std::uint32_t version, std::span<const std::uint8_t> value);

}  // namespace sealpost::keytrans
