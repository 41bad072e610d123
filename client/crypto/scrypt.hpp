// scrypt (RFC 7914) passphrase key derivation over OpenSSL's EVP_KDF "SCRYPT".
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/secret_bytes.hpp"

namespace sealpost::client::crypto {

struct scrypt_params {
  std::uint64_t n = 0;  // CPU/memory cost: a power of two, at least 2
  std::uint32_t r = 0;  // block size
  std::uint32_t p = 0;  // parallelism
};

// The ceiling on scrypt's working memory. Parameters read back from stored data are
// untrusted; this bounds what a forged header can make the client allocate.
inline constexpr std::uint64_t scrypt_max_memory_bytes = std::uint64_t{1} << 30;

// The bytes scrypt allocates for `params` (128*r*p + 128*r*(n+2), as OpenSSL counts), or
// UINT64_MAX when that does not fit in 64 bits.
std::uint64_t scrypt_memory_bytes(const scrypt_params& params) noexcept;

// `length` bytes of scrypt(passphrase, salt, N, r, p). Throws std::invalid_argument when n is
// not a power of two >= 2 or not below 2^(16r), r or p is 0, p*r >= 2^30 (RFC 7914's
// bounds), length is 0, or the parameters need more than scrypt_max_memory_bytes;
// crypto_error on internal failure.
secret_bytes<> scrypt(std::span<const std::uint8_t> passphrase, std::span<const std::uint8_t> salt,
                      const scrypt_params& params, std::size_t length);

}  // namespace sealpost::client::crypto
