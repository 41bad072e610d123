// Ed25519 -> X25519 key conversion. The field arithmetic uses OpenSSL BIGNUM, which is not
// constant time; that is acceptable only because it touches public keys alone.
#include "crypto/identity_key_map.hpp"

#include <openssl/bn.h>

#include <algorithm>
#include <array>

#include "crypto/crypto_error.hpp"
#include "crypto/detail/openssl.hpp"
#include "crypto/hash.hpp"

namespace sealpost::client::crypto {
namespace {

using detail::bignum_ptr;

bignum_ptr new_bignum() {
  return bignum_ptr(detail::check_not_null(BN_new(), "BN_new"));
}

// p = 2^255 - 19.
bignum_ptr field_prime() {
  bignum_ptr prime = new_bignum();
  detail::check(BN_set_bit(prime.get(), 255), "BN_set_bit");
  detail::check(BN_sub_word(prime.get(), 19), "BN_sub_word");
  return prime;
}

// y from the little-endian encoding, with bit 255 (the sign of x) cleared.
bignum_ptr edwards_y(std::span<const std::uint8_t, 32> ed25519_public) {
  std::array<std::uint8_t, 32> y_bytes{};
  std::copy(ed25519_public.begin(), ed25519_public.end(), y_bytes.begin());
  y_bytes[31] &= 0x7F;
  return bignum_ptr(detail::check_not_null(
      BN_lebin2bn(y_bytes.data(), static_cast<int>(y_bytes.size()), nullptr), "BN_lebin2bn"));
}

// (1 + y) / (1 - y) mod p, for y in [0, p) and y != 1.
bignum_ptr montgomery_u(const BIGNUM& y, const BIGNUM& prime) {
  const detail::bn_ctx_ptr context(detail::check_not_null(BN_CTX_new(), "BN_CTX_new"));
  const bignum_ptr numerator = new_bignum();
  const bignum_ptr denominator = new_bignum();
  const bignum_ptr inverse = new_bignum();
  bignum_ptr u = new_bignum();
  detail::check(BN_mod_add(numerator.get(), BN_value_one(), &y, &prime, context.get()),
                "BN_mod_add");
  detail::check(BN_mod_sub(denominator.get(), BN_value_one(), &y, &prime, context.get()),
                "BN_mod_sub");
  detail::check_not_null(BN_mod_inverse(inverse.get(), denominator.get(), &prime, context.get()),
                         "BN_mod_inverse");
  detail::check(BN_mod_mul(u.get(), numerator.get(), inverse.get(), &prime, context.get()),
                "BN_mod_mul");
  return u;
}

}  // namespace

x25519_private_key x25519_private_from_ed25519_seed(const ed25519_seed& seed) {
  sha512_digest digest = sha512(seed.view());
  x25519_private_key scalar(std::span<const std::uint8_t>(digest).first(x25519_key_size));
  // The digest's second half is Ed25519's nonce prefix: as secret as the scalar.
  OPENSSL_cleanse(digest.data(), digest.size());
  return scalar;
}

std::optional<x25519_public_key> x25519_public_from_ed25519_public(
    std::span<const std::uint8_t, 32> ed25519_public) {
  const bignum_ptr prime = field_prime();
  const bignum_ptr y = edwards_y(ed25519_public);
  if (BN_cmp(y.get(), prime.get()) >= 0 || BN_is_one(y.get())) {
    return std::nullopt;
  }
  const bignum_ptr u = montgomery_u(*y, *prime);
  x25519_public_key out{};
  if (BN_bn2lebinpad(u.get(), out.data(), static_cast<int>(out.size())) !=
      static_cast<int>(out.size())) {
    throw crypto_error("BN_bn2lebinpad");
  }
  return out;
}

}  // namespace sealpost::client::crypto
