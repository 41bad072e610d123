// Internal to the crypto layer: RAII owners for OpenSSL objects and shared EVP helpers.
#pragma once

#include <openssl/bn.h>
#include <openssl/core.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "crypto/crypto_error.hpp"
#include "xeddsa/openssl_check.hpp"

namespace sealpost::client::crypto::detail {

// The deleter the server's crypto and the shared verifiers use too.
using ossl::openssl_deleter;

using evp_pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<&EVP_PKEY_free>>;
using evp_pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, openssl_deleter<&EVP_PKEY_CTX_free>>;
using evp_md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, openssl_deleter<&EVP_MD_CTX_free>>;
using evp_cipher_ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, openssl_deleter<&EVP_CIPHER_CTX_free>>;
using evp_kdf_ptr = std::unique_ptr<EVP_KDF, openssl_deleter<&EVP_KDF_free>>;
using evp_kdf_ctx_ptr = std::unique_ptr<EVP_KDF_CTX, openssl_deleter<&EVP_KDF_CTX_free>>;
using evp_mac_ptr = std::unique_ptr<EVP_MAC, openssl_deleter<&EVP_MAC_free>>;
using evp_mac_ctx_ptr = std::unique_ptr<EVP_MAC_CTX, openssl_deleter<&EVP_MAC_CTX_free>>;
using bignum_ptr = std::unique_ptr<BIGNUM, openssl_deleter<&BN_free>>;
using bn_ctx_ptr = std::unique_ptr<BN_CTX, openssl_deleter<&BN_CTX_free>>;

// Throws crypto_error naming `operation` unless `result` is 1 (OpenSSL's success value).
void check(int result, std::string_view operation);

// Returns `object`; throws crypto_error naming `operation` if it is null.
template <typename T>
T* check_not_null(T* object, std::string_view operation) {
  if (object == nullptr) {
    throw crypto_error(operation);
  }
  return object;
}

// A pointer OpenSSL accepts for `bytes`, even when empty: some EVP entry points read a null
// pointer as "no value given" rather than "empty value".
const unsigned char* data_or_empty(std::span<const std::uint8_t> bytes) noexcept;

// An input octet-string parameter for EVP_KDF / EVP_MAC; OpenSSL only reads it.
OSSL_PARAM octet_param(const char* name, std::span<const std::uint8_t> bytes) noexcept;

// Raw 32-byte X25519 / Ed25519 keys to and from EVP_PKEY (type is EVP_PKEY_X25519 or
// EVP_PKEY_ED25519). All throw crypto_error on failure.
evp_pkey_ptr import_raw_private_key(int type, std::span<const std::uint8_t, 32> key);
evp_pkey_ptr import_raw_public_key(int type, std::span<const std::uint8_t, 32> key);
evp_pkey_ptr generate_key(const char* type_name);
void export_raw_private_key(const EVP_PKEY& key, std::span<std::uint8_t, 32> out);
void export_raw_public_key(const EVP_PKEY& key, std::span<std::uint8_t, 32> out);

// Runs a fetched EVP_KDF (e.g. "HKDF", "SCRYPT") with `params` into `out`.
void derive_with_kdf(const char* kdf_name, const OSSL_PARAM* params, std::span<std::uint8_t> out);

}  // namespace sealpost::client::crypto::detail
