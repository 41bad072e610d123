// Dispatch on the identity key's type to the shared XEdDSA / Ed25519 verifiers.
#include "crypto/signature.hpp"

#include "xeddsa/xeddsa.hpp"

namespace sealpost::crypto {

bool verify_signature(const typed_key& identity_key, std::span<const std::uint8_t> message,
                      std::span<const std::uint8_t> signature) {
  if (identity_key.type() == key_type::kem) {
    return false;
  }
  // Ed25519 and Curve25519 keys are 32 bytes after the type byte (typed_key checked it).
  const std::span<const std::uint8_t, xeddsa::key_size> key(identity_key.key_bytes().data(),
                                                            xeddsa::key_size);
  return identity_key.type() == key_type::ed25519 ? xeddsa::verify_ed25519(key, message, signature)
                                                  : xeddsa::verify(key, message, signature);
}

}  // namespace sealpost::crypto
