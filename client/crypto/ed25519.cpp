// Ed25519 via EVP_DigestSign / EVP_DigestVerify (one-shot, no pre-hash, as RFC 8032 requires).
#include "crypto/ed25519.hpp"

#include <openssl/err.h>

#include "crypto/crypto_error.hpp"
#include "crypto/detail/openssl.hpp"

namespace sealpost::client::crypto {
namespace {

detail::evp_md_ctx_ptr new_digest_context() {
  return detail::evp_md_ctx_ptr(detail::check_not_null(EVP_MD_CTX_new(), "Ed25519 digest context"));
}

}  // namespace

ed25519_key_pair ed25519_generate() {
  const detail::evp_pkey_ptr key = detail::generate_key("ED25519");
  ed25519_key_pair pair;
  detail::export_raw_private_key(*key, pair.seed.mutable_view());
  detail::export_raw_public_key(*key, pair.public_key);
  return pair;
}

ed25519_public_key ed25519_public_from_seed(const ed25519_seed& seed) {
  const detail::evp_pkey_ptr key = detail::import_raw_private_key(EVP_PKEY_ED25519, seed.view());
  ed25519_public_key public_key;
  detail::export_raw_public_key(*key, public_key);
  return public_key;
}

ed25519_signature ed25519_sign(const ed25519_seed& seed, std::span<const std::uint8_t> message) {
  const detail::evp_pkey_ptr key = detail::import_raw_private_key(EVP_PKEY_ED25519, seed.view());
  const detail::evp_md_ctx_ptr context = new_digest_context();
  // Ed25519 hashes internally, so the digest argument must be null.
  detail::check(EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key.get()),
                "Ed25519 sign init");
  ed25519_signature signature;
  std::size_t length = signature.size();
  detail::check(EVP_DigestSign(context.get(), signature.data(), &length,
                               detail::data_or_empty(message), message.size()),
                "Ed25519 sign");
  if (length != signature.size()) {
    throw crypto_error("Ed25519 sign (length)");
  }
  return signature;
}

bool ed25519_verify(std::span<const std::uint8_t, 32> public_key,
                    std::span<const std::uint8_t> message,
                    std::span<const std::uint8_t> signature) {
  if (signature.size() != ed25519_signature_size) {
    return false;
  }
  const detail::evp_pkey_ptr key = detail::import_raw_public_key(EVP_PKEY_ED25519, public_key);
  const detail::evp_md_ctx_ptr context = new_digest_context();
  detail::check(EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key.get()),
                "Ed25519 verify init");
  const int result = EVP_DigestVerify(context.get(), signature.data(), signature.size(),
                                      detail::data_or_empty(message), message.size());
  if (result != 1) {
    // A rejected signature leaves entries in the error queue; they describe the
    // attacker's input, not a fault, so they must not surface in a later crypto_error.
    ERR_clear_error();
    return false;
  }
  return true;
}

}  // namespace sealpost::client::crypto
