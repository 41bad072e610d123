// RAII owners for OpenSSL objects and result checks that turn OpenSSL's failures (never bad
// input) into exceptions; used by the XEdDSA code here and by the server's crypto layer.
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>

namespace sealpost::ossl {

template <auto free_function>
struct openssl_deleter {
  template <typename T>
  void operator()(T* object) const noexcept {
    free_function(object);
  }
};

using bn_ptr = std::unique_ptr<BIGNUM, openssl_deleter<&BN_free>>;
using bn_ctx_ptr = std::unique_ptr<BN_CTX, openssl_deleter<&BN_CTX_free>>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<&EVP_PKEY_free>>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, openssl_deleter<&EVP_PKEY_CTX_free>>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, openssl_deleter<&EVP_MD_CTX_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<&BIO_free>>;
// A BIGNUM that holds a secret (a scalar, a nonce): zeroed before it is freed.
using secret_bn_ptr = std::unique_ptr<BIGNUM, openssl_deleter<&BN_clear_free>>;
using ec_group_ptr = std::unique_ptr<EC_GROUP, openssl_deleter<&EC_GROUP_free>>;
using ec_point_ptr = std::unique_ptr<EC_POINT, openssl_deleter<&EC_POINT_free>>;
using ecdsa_sig_ptr = std::unique_ptr<ECDSA_SIG, openssl_deleter<&ECDSA_SIG_free>>;

// Throws std::runtime_error with OpenSSL's first queued error and leaves the thread's error
// queue empty, so a later, unrelated OpenSSL caller on this thread does not see stale errors.
[[noreturn]] void throw_openssl_error(const char* operation);

template <typename T>
T* check_alloc(T* pointer, const char* operation) {
  if (pointer == nullptr) {
    throw_openssl_error(operation);
  }
  return pointer;
}

inline void check_ok(int rc, const char* operation) {
  if (rc != 1) {
    throw_openssl_error(operation);
  }
}

}  // namespace sealpost::ossl
