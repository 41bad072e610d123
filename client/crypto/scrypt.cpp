// scrypt through EVP_KDF, with parameters validated before any memory is committed.
#include "crypto/scrypt.hpp"

#include <openssl/core_names.h>

#include <limits>
#include <stdexcept>

#include "crypto/detail/openssl.hpp"

namespace sealpost::client::crypto {
namespace {

constexpr std::uint64_t overflow = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint32_t max_p_times_r = (std::uint32_t{1} << 30) - 1;

// a * b, or `overflow` when it does not fit.
std::uint64_t multiply(std::uint64_t a, std::uint64_t b) noexcept {
  if (a != 0 && b > overflow / a) {
    return overflow;
  }
  return a * b;
}

void validate(const scrypt_params& params, std::size_t length) {
  if (params.n < 2 || (params.n & (params.n - 1)) != 0) {
    throw std::invalid_argument("scrypt: N must be a power of two >= 2");
  }
  if (params.r == 0 || params.p == 0) {
    throw std::invalid_argument("scrypt: r and p must be positive");
  }
  if (params.p > max_p_times_r / params.r) {
    throw std::invalid_argument("scrypt: p * r must be below 2^30");
  }
  // RFC 7914: N < 2^(128 * r / 8); only a bound while that power fits in 64 bits.
  if (16 * std::uint64_t{params.r} < 64 && params.n >= (std::uint64_t{1} << (16 * params.r))) {
    throw std::invalid_argument("scrypt: N must be below 2^(16 r)");
  }
  if (length == 0) {
    throw std::invalid_argument("scrypt: length must be positive");
  }
  if (scrypt_memory_bytes(params) > scrypt_max_memory_bytes) {
    throw std::invalid_argument("scrypt: parameters need too much memory");
  }
}

}  // namespace

std::uint64_t scrypt_memory_bytes(const scrypt_params& params) noexcept {
  const std::uint64_t block = multiply(128, params.r);
  const std::uint64_t b_array = multiply(block, params.p);
  const std::uint64_t v_array = params.n > overflow - 2 ? overflow : multiply(block, params.n + 2);
  if (b_array == overflow || v_array == overflow || b_array > overflow - v_array) {
    return overflow;
  }
  return b_array + v_array;
}

secret_bytes<> scrypt(std::span<const std::uint8_t> passphrase, std::span<const std::uint8_t> salt,
                      const scrypt_params& params, std::size_t length) {
  validate(params, length);
  std::uint64_t n = params.n;
  std::uint32_t r = params.r;
  std::uint32_t p = params.p;
  std::uint64_t max_memory = scrypt_max_memory_bytes;
  const OSSL_PARAM ossl_params[] = {
      detail::octet_param(OSSL_KDF_PARAM_PASSWORD, passphrase),
      detail::octet_param(OSSL_KDF_PARAM_SALT, salt),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &max_memory),
      OSSL_PARAM_construct_end()};
  secret_bytes<> out(length);
  detail::derive_with_kdf("SCRYPT", ossl_params, out.mutable_view());
  return out;
}

}  // namespace sealpost::client::crypto
