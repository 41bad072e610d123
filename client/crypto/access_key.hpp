// Unidentified access keys (DESIGN.md, "Unidentified access keys"): a profile key, and the
// 16-byte access key derived from it the way libsignal's ProfileKey.deriveAccessKey() does.
#pragma once

#include <cstddef>

#include "crypto/secret_bytes.hpp"

namespace sealpost::client::crypto {

inline constexpr std::size_t profile_key_size = 32;
inline constexpr std::size_t access_key_size = 16;

using profile_key = secret_bytes<profile_key_size>;
using access_key = secret_bytes<access_key_size>;

// A fresh random profile key (RAND_bytes). Throws crypto_error if the generator fails.
profile_key generate_profile_key();

// libsignal ProfileKey.deriveAccessKey(): the first 16 bytes of AES-256-GCM under `key`,
// with a 12-byte zero nonce, over 16 zero bytes, no associated data. Deterministic (the
// zero nonce is safe: each profile key encrypts this one fixed block only). Throws
// crypto_error on internal failure.
access_key derive_access_key(const profile_key& key);

}  // namespace sealpost::client::crypto
