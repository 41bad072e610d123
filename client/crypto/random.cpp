// RAND_bytes wrappers; large requests go in chunks because RAND_bytes takes an int length.
#include "crypto/random.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>

#include "crypto/detail/openssl.hpp"

namespace sealpost::client::crypto {

void random_fill(std::span<std::uint8_t> out) {
  constexpr std::size_t max_chunk = INT_MAX;
  while (!out.empty()) {
    const std::size_t chunk = std::min(out.size(), max_chunk);
    detail::check(RAND_bytes(out.data(), static_cast<int>(chunk)), "RAND_bytes");
    out = out.subspan(chunk);
  }
}

std::vector<std::uint8_t> random_bytes(std::size_t size) {
  std::vector<std::uint8_t> bytes(size);
  random_fill(bytes);
  return bytes;
}

secret_bytes<> random_secret(std::size_t size) {
  secret_bytes<> secret(size);
  random_fill(secret.mutable_view());
  return secret;
}

}  // namespace sealpost::client::crypto
