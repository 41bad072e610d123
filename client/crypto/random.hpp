// Randomness from OpenSSL's CSPRNG (RAND_bytes), for public values and secrets alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/secret_bytes.hpp"

namespace sealpost::client::crypto {

// Fills `out` with random bytes. Throws crypto_error if the generator fails.
void random_fill(std::span<std::uint8_t> out);

// `size` random bytes for public use (nonces, salts, ids). Throws crypto_error.
std::vector<std::uint8_t> random_bytes(std::size_t size);

// A random secret of `Size` bytes. Throws crypto_error.
template <std::size_t Size>
secret_bytes<Size> random_secret() {
  secret_bytes<Size> secret;
  random_fill(secret.mutable_view());
  return secret;
}

// A random secret of `size` bytes. Throws crypto_error.
secret_bytes<> random_secret(std::size_t size);

}  // namespace sealpost::client::crypto
