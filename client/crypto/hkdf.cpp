// HKDF-SHA256 through EVP_KDF, parameters passed as OSSL_PARAMs.
#include "crypto/hkdf.hpp"

#include <openssl/core_names.h>

#include <stdexcept>

#include "crypto/detail/openssl.hpp"

namespace sealpost::client::crypto {

secret_bytes<> hkdf_sha256(std::span<const std::uint8_t> input_key_material,
                           std::span<const std::uint8_t> salt, std::span<const std::uint8_t> info,
                           std::size_t length) {
  if (length == 0 || length > hkdf_sha256_max_length) {
    throw std::invalid_argument("hkdf_sha256: length out of range");
  }
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name, 0),
      detail::octet_param(OSSL_KDF_PARAM_KEY, input_key_material),
      detail::octet_param(OSSL_KDF_PARAM_SALT, salt),
      detail::octet_param(OSSL_KDF_PARAM_INFO, info), OSSL_PARAM_construct_end()};
  secret_bytes<> out(length);
  detail::derive_with_kdf("HKDF", params, out.mutable_view());
  return out;
}

}  // namespace sealpost::client::crypto
