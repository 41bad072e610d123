// Both identity forms come from one Ed25519 seed: the 0x05 form is the X25519 public key of
// the Ed25519 scalar (equal to the birational map of A), so X3DH uses the same scalar for
// either form and only the published bytes and the signature's top bit differ.
#include "crypto/identity_key.hpp"

#include <stdexcept>

#include "crypto/crypto_error.hpp"
#include "crypto/identity_key_map.hpp"
#include "xeddsa/xeddsa.hpp"

namespace sealpost::client::crypto {
namespace {

std::span<const std::uint8_t, 32> key_bytes(std::span<const std::uint8_t> typed) noexcept {
  return typed.subspan<1, 32>();
}

bool has_identity_shape(std::span<const std::uint8_t> typed) noexcept {
  return typed.size() == typed_key_size &&
         (typed[0] == curve25519_key_type || typed[0] == ed25519_key_type);
}

// Verification failures inside OpenSSL surface as std::runtime_error from the shared code;
// the client's contract names crypto_error.
template <typename Call>
auto rethrow_as_crypto_error(Call&& call, std::string_view operation) {
  try {
    return call();
  } catch (const crypto_error&) {
    throw;
  } catch (const std::runtime_error&) {
    throw crypto_error(operation);
  }
}

}  // namespace

identity_key_pair generate_identity() {
  return identity_from_seed(ed25519_generate().seed, identity_form::curve25519);
}

identity_key_pair identity_from_seed(const ed25519_seed& seed, identity_form form) {
  identity_key_pair key;
  key.seed = seed;
  if (form == identity_form::ed25519) {
    key.public_key = encode_ed25519_public_key(ed25519_public_from_seed(seed));
  } else {
    key.public_key = encode_x25519_public_key(
        x25519_public_from_private(x25519_private_from_ed25519_seed(seed)));
  }
  return key;
}

ed25519_signature identity_sign(const identity_key_pair& key,
                                std::span<const std::uint8_t> message) {
  ed25519_signature signature = ed25519_sign(key.seed, message);
  if (key.form() == identity_form::curve25519) {
    xeddsa::add_sign_bit(signature, ed25519_public_from_seed(key.seed));
  }
  return signature;
}

x25519_private_key identity_dh_private_key(const identity_key_pair& key) {
  return x25519_private_from_ed25519_seed(key.seed);
}

std::optional<typed_public_key> decode_identity_key(std::span<const std::uint8_t> typed) noexcept {
  if (!has_identity_shape(typed)) {
    return std::nullopt;
  }
  typed_public_key out{};
  std::copy(typed.begin(), typed.end(), out.begin());
  return out;
}

std::optional<x25519_public_key> identity_dh_public_key(std::span<const std::uint8_t> typed) {
  if (!has_identity_shape(typed)) {
    return std::nullopt;
  }
  if (typed[0] == ed25519_key_type) {
    return x25519_public_from_ed25519_public(key_bytes(typed));
  }
  x25519_public_key out{};
  std::copy(typed.begin() + 1, typed.end(), out.begin());
  return out;
}

bool identity_verify(std::span<const std::uint8_t> typed, std::span<const std::uint8_t> message,
                     std::span<const std::uint8_t> signature) {
  if (!has_identity_shape(typed)) {
    return false;
  }
  return rethrow_as_crypto_error(
      [&] {
        return typed[0] == ed25519_key_type
                   ? xeddsa::verify_ed25519(key_bytes(typed), message, signature)
                   : xeddsa::verify(key_bytes(typed), message, signature);
      },
      "signature verification");
}

}  // namespace sealpost::client::crypto
