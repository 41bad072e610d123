// X25519 over EVP_PKEY_derive, with the all-zero (low-order peer) result turned into nullopt.
#include "crypto/x25519.hpp"

#include <openssl/err.h>
#include <openssl/proverr.h>

#include "crypto/crypto_error.hpp"
#include "crypto/detail/openssl.hpp"

namespace sealpost::client::crypto {
namespace {

// OpenSSL 3's provider refuses to output an all-zero X25519 result and reports it with
// this reason; any other derive failure is internal.
bool derive_refused_zero_secret() {
  const unsigned long error = ERR_peek_last_error();
  return ERR_GET_LIB(error) == ERR_LIB_PROV &&
         ERR_GET_REASON(error) == PROV_R_FAILED_DURING_DERIVATION;
}

bool is_all_zero(const x25519_shared_secret& secret) {
  static constexpr std::array<std::uint8_t, x25519_key_size> zeros{};
  return CRYPTO_memcmp(secret.data(), zeros.data(), zeros.size()) == 0;
}

}  // namespace

x25519_key_pair x25519_generate() {
  const detail::evp_pkey_ptr key = detail::generate_key("X25519");
  x25519_key_pair pair;
  detail::export_raw_private_key(*key, pair.private_key.mutable_view());
  detail::export_raw_public_key(*key, pair.public_key);
  return pair;
}

x25519_public_key x25519_public_from_private(const x25519_private_key& private_key) {
  const detail::evp_pkey_ptr key =
      detail::import_raw_private_key(EVP_PKEY_X25519, private_key.view());
  x25519_public_key public_key;
  detail::export_raw_public_key(*key, public_key);
  return public_key;
}

std::optional<x25519_shared_secret> x25519_dh(const x25519_private_key& private_key,
                                              std::span<const std::uint8_t, 32> peer_public_key) {
  const detail::evp_pkey_ptr ours =
      detail::import_raw_private_key(EVP_PKEY_X25519, private_key.view());
  const detail::evp_pkey_ptr theirs =
      detail::import_raw_public_key(EVP_PKEY_X25519, peer_public_key);
  const detail::evp_pkey_ctx_ptr context(detail::check_not_null(
      EVP_PKEY_CTX_new_from_pkey(nullptr, ours.get(), nullptr), "X25519 context"));
  detail::check(EVP_PKEY_derive_init(context.get()), "X25519 derive init");
  detail::check(EVP_PKEY_derive_set_peer(context.get(), theirs.get()), "X25519 set peer");

  x25519_shared_secret secret;
  std::size_t length = secret.size();
  if (EVP_PKEY_derive(context.get(), secret.data(), &length) != 1) {
    if (!derive_refused_zero_secret()) {
      throw crypto_error("X25519 derive");
    }
    ERR_clear_error();
    return std::nullopt;
  }
  if (length != secret.size()) {
    throw crypto_error("X25519 derive (length)");
  }
  // Checked here as well, so the guarantee does not rest on one OpenSSL version's behaviour.
  if (is_all_zero(secret)) {
    return std::nullopt;
  }
  return secret;
}

}  // namespace sealpost::client::crypto
