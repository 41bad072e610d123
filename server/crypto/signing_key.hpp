// A key pair that signs the way libsignal verifies: XEdDSA signatures made with OpenSSL's
// Ed25519 (DESIGN.md, "Sealed sender": keys, certificates, signatures).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "crypto/signature.hpp"
#include "crypto/typed_key.hpp"
#include "xeddsa/openssl_check.hpp"

namespace sealpost::crypto {

// The 0x05 public form libsignal expects: the type byte and an X25519 public key.
using curve25519_public_key = std::array<std::uint8_t, ec_key_size>;
using xeddsa_signature = std::array<std::uint8_t, signature_size>;

// An Ed25519 key pair (EVP_PKEY_ED25519) used as an XEdDSA key. Its 0x05 public form is the
// X25519 key of clamp(SHA-512(seed)[0..32]), which is the birational map of the Ed25519
// public key A; a signature is RFC 8032's with sig[63] |= A[31] & 0x80, which the XEdDSA
// verifier (verify_signature) and libsignal accept under the 0x05 key.
class signing_key {
 public:
  // A fresh key from OpenSSL's CSPRNG.
  static signing_key generate();
  // Reads a PKCS#8 PEM Ed25519 private key; throws std::invalid_argument for anything else.
  static signing_key from_pem(std::string_view pem);
  // Reads such a key from a file and wipes what it read. std::invalid_argument naming the
  // file when it cannot be read or holds anything else.
  static signing_key from_pem_file(const std::string& path);

  // PKCS#8 PEM of the private key: secret, for a 0600 file or the database row only.
  std::string private_pem() const;
  const curve25519_public_key& public_key() const noexcept { return public_key_; }
  xeddsa_signature sign(std::span<const std::uint8_t> message) const;

 private:
  explicit signing_key(ossl::pkey_ptr key);

  ossl::pkey_ptr key_;
  curve25519_public_key public_key_{};
  std::array<std::uint8_t, 32> edwards_public_key_{};  // A, whose sign bit each signature carries
};

}  // namespace sealpost::crypto
