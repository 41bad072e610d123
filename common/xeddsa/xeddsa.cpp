// XEdDSA and Ed25519 verification on top of OpenSSL's Ed25519 verifier.
#include "xeddsa/xeddsa.hpp"

#include <openssl/err.h>

#include <algorithm>
#include <array>
#include <optional>

#include "xeddsa/openssl_check.hpp"

namespace sealpost::xeddsa {
namespace {

using point_bytes = std::array<std::uint8_t, key_size>;
using signature_bytes = std::array<std::uint8_t, signature_size>;
using ossl::bn_ctx_ptr;
using ossl::bn_ptr;
using ossl::check_alloc;
using ossl::check_ok;
using ossl::md_ctx_ptr;
using ossl::pkey_ptr;
using ossl::throw_openssl_error;

bn_ptr new_bn() {
  return bn_ptr(check_alloc(BN_new(), "BN_new"));
}

bn_ptr field_prime() {
  // p = 2^255 - 19
  bn_ptr p = new_bn();
  check_ok(BN_set_bit(p.get(), 255), "BN_set_bit");
  check_ok(BN_sub_word(p.get(), 19), "BN_sub_word");
  return p;
}

// Maps a Montgomery u-coordinate (little-endian) to the Edwards y-coordinate of the
// birationally equivalent point, y = (u - 1) / (u + 1) mod p, little-endian with the
// sign bit clear. Returns nullopt for the inputs XEdDSA rejects: u >= p (the spec's
// "if u >= p: return false"; every honest encoder writes u reduced) and u = p - 1, where
// u + 1 has no inverse (that u lies on the twist, so no signature could be valid).
// Plain BIGNUM arithmetic is fine here: every value involved is public.
std::optional<point_bytes> montgomery_u_to_edwards_y(std::span<const std::uint8_t> u_bytes) {
  const bn_ptr p = field_prime();
  const bn_ctx_ptr ctx(check_alloc(BN_CTX_new(), "BN_CTX_new"));
  const bn_ptr u(check_alloc(BN_lebin2bn(u_bytes.data(), static_cast<int>(u_bytes.size()), nullptr),
                             "BN_lebin2bn"));
  if (BN_cmp(u.get(), p.get()) >= 0) {
    return std::nullopt;
  }
  const bn_ptr u_plus_one = new_bn();
  check_ok(BN_mod_add(u_plus_one.get(), u.get(), BN_value_one(), p.get(), ctx.get()), "BN_mod_add");
  if (BN_is_zero(u_plus_one.get())) {
    return std::nullopt;
  }
  const bn_ptr u_minus_one = new_bn();
  check_ok(BN_mod_sub(u_minus_one.get(), u.get(), BN_value_one(), p.get(), ctx.get()),
           "BN_mod_sub");
  // p is prime and u + 1 is non-zero, so a failure here is OpenSSL's, not the input's.
  const bn_ptr inverse(
      check_alloc(BN_mod_inverse(nullptr, u_plus_one.get(), p.get(), ctx.get()), "BN_mod_inverse"));
  const bn_ptr y = new_bn();
  check_ok(BN_mod_mul(y.get(), u_minus_one.get(), inverse.get(), p.get(), ctx.get()), "BN_mod_mul");
  point_bytes y_bytes{};
  if (BN_bn2lebinpad(y.get(), y_bytes.data(), static_cast<int>(y_bytes.size())) !=
      static_cast<int>(y_bytes.size())) {
    throw_openssl_error("BN_bn2lebinpad");
  }
  return y_bytes;
}

}  // namespace

// OpenSSL also rejects s >= L, which makes signatures non-malleable.
bool verify_ed25519(std::span<const std::uint8_t, key_size> edwards_public,
                    std::span<const std::uint8_t> message,
                    std::span<const std::uint8_t> signature) {
  if (signature.size() != signature_size) {
    return false;
  }
  const pkey_ptr key(check_alloc(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, edwards_public.data(), key_size),
      "EVP_PKEY_new_raw_public_key"));
  const md_ctx_ptr ctx(check_alloc(EVP_MD_CTX_new(), "EVP_MD_CTX_new"));
  // Ed25519 is one-shot and hashes internally, so no digest is named.
  check_ok(EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()),
           "EVP_DigestVerifyInit");
  // An empty span may carry a null pointer; give OpenSSL a valid one regardless.
  static constexpr std::uint8_t no_data = 0;
  const std::uint8_t* data = message.empty() ? &no_data : message.data();
  const int rc =
      EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data, message.size());
  if (rc == 1) {
    return true;
  }
  if (rc == 0) {
    // A signature that does not verify may still leave an entry in the error queue.
    ERR_clear_error();
    return false;
  }
  throw_openssl_error("EVP_DigestVerify");
}

// The Montgomery key has no sign, so the signer stores the sign of its Edwards
// x-coordinate in the otherwise unused top bit of s (signature[63]).
bool verify(std::span<const std::uint8_t, key_size> montgomery_u,
            std::span<const std::uint8_t> message, std::span<const std::uint8_t> signature) {
  if (signature.size() != signature_size) {
    return false;
  }
  const std::optional<point_bytes> edwards_y = montgomery_u_to_edwards_y(montgomery_u);
  if (!edwards_y) {
    return false;
  }
  point_bytes edwards_key = *edwards_y;
  edwards_key[key_size - 1] |= signature[signature_size - 1] & 0x80;
  signature_bytes plain_signature{};
  std::copy(signature.begin(), signature.end(), plain_signature.begin());
  plain_signature[signature_size - 1] &= 0x7F;
  return verify_ed25519(edwards_key, message, plain_signature);
}

}  // namespace sealpost::xeddsa
