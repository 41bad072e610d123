// Shared EVP plumbing for the crypto layer: result checks, raw key import/export, KDF runs.
#include "crypto/detail/openssl.hpp"

#include <openssl/core_names.h>

#include <cstddef>

namespace sealpost::client::crypto::detail {

void check(int result, std::string_view operation) {
  if (result != 1) {
    throw crypto_error(operation);
  }
}

const unsigned char* data_or_empty(std::span<const std::uint8_t> bytes) noexcept {
  static constexpr unsigned char empty = 0;
  return bytes.empty() ? &empty : bytes.data();
}

OSSL_PARAM octet_param(const char* name, std::span<const std::uint8_t> bytes) noexcept {
  // OSSL_PARAM has one pointer type for input and output; input parameters are never
  // written through, so dropping const here is safe.
  return OSSL_PARAM_construct_octet_string(name, const_cast<unsigned char*>(data_or_empty(bytes)),
                                           bytes.size());
}

evp_pkey_ptr import_raw_private_key(int type, std::span<const std::uint8_t, 32> key) {
  return evp_pkey_ptr(check_not_null(
      EVP_PKEY_new_raw_private_key(type, nullptr, key.data(), key.size()), "private key import"));
}

evp_pkey_ptr import_raw_public_key(int type, std::span<const std::uint8_t, 32> key) {
  return evp_pkey_ptr(check_not_null(
      EVP_PKEY_new_raw_public_key(type, nullptr, key.data(), key.size()), "public key import"));
}

evp_pkey_ptr generate_key(const char* type_name) {
  return evp_pkey_ptr(
      check_not_null(EVP_PKEY_Q_keygen(nullptr, nullptr, type_name), "key generation"));
}

void export_raw_private_key(const EVP_PKEY& key, std::span<std::uint8_t, 32> out) {
  std::size_t length = out.size();
  check(EVP_PKEY_get_raw_private_key(&key, out.data(), &length), "private key export");
  if (length != out.size()) {
    throw crypto_error("private key export (length)");
  }
}

void export_raw_public_key(const EVP_PKEY& key, std::span<std::uint8_t, 32> out) {
  std::size_t length = out.size();
  check(EVP_PKEY_get_raw_public_key(&key, out.data(), &length), "public key export");
  if (length != out.size()) {
    throw crypto_error("public key export (length)");
  }
}

void derive_with_kdf(const char* kdf_name, const OSSL_PARAM* params, std::span<std::uint8_t> out) {
  const evp_kdf_ptr kdf(check_not_null(EVP_KDF_fetch(nullptr, kdf_name, nullptr), kdf_name));
  const evp_kdf_ctx_ptr context(check_not_null(EVP_KDF_CTX_new(kdf.get()), kdf_name));
  check(EVP_KDF_derive(context.get(), out.data(), out.size(), params), kdf_name);
}

}  // namespace sealpost::client::crypto::detail
