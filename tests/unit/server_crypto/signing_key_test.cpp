// Tests of XEdDSA signing with OpenSSL's Ed25519 (crypto/signing_key.hpp): RFC 8032's
// vectors fix the signature bytes, an independent birational map fixes the 0x05 public form,
// and the XEdDSA verifier (proven on libsignal's vectors) accepts what it signs.
#include "crypto/signing_key.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "crypto/signature.hpp"
#include "crypto/typed_key.hpp"
#include "hex.hpp"

namespace {

using sealpost::crypto::curve25519_public_key;
using sealpost::crypto::key_purpose;
using sealpost::crypto::parse_typed_key;
using sealpost::crypto::signing_key;
using sealpost::crypto::verify_signature;
using sealpost::crypto::test::from_hex;
using bytes = std::vector<std::uint8_t>;

using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

// The PKCS#8 PEM of `key`, made by OpenSSL directly; encrypted under "secret" when
// `encrypt` is set.
std::string pkcs8_pem(EVP_PKEY* key, bool encrypt = false) {
  REQUIRE(key != nullptr);
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
  char passphrase[] = "secret";
  REQUIRE(PEM_write_bio_PKCS8PrivateKey(out.get(), key, encrypt ? EVP_aes_256_cbc() : nullptr,
                                        encrypt ? passphrase : nullptr, encrypt ? 6 : 0, nullptr,
                                        nullptr) == 1);
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// The PEM of the Ed25519 key with RFC 8032 secret `seed`.
std::string pem_of_seed(const bytes& seed) {
  const pkey_ptr key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()),
      EVP_PKEY_free);
  return pkcs8_pem(key.get());
}

// u = (1 + y) / (1 - y) mod p: the Montgomery u of the Edwards point A (RFC 7748, section
// 4.1), from A's encoding alone, with no scalar multiplication.
curve25519_public_key montgomery_of_edwards(const bytes& edwards) {
  using bn = std::unique_ptr<BIGNUM, decltype(&BN_free)>;
  auto fresh = [] { return bn(BN_new(), BN_free); };
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), BN_CTX_free);
  bytes y_bytes = edwards;
  y_bytes[31] &= 0x7F;
  bn p = fresh(), y = fresh(), one_plus = fresh(), one_minus = fresh(), u = fresh();
  REQUIRE(BN_set_bit(p.get(), 255) == 1);
  REQUIRE(BN_sub_word(p.get(), 19) == 1);
  REQUIRE(BN_lebin2bn(y_bytes.data(), 32, y.get()) != nullptr);
  REQUIRE(BN_mod_add(one_plus.get(), BN_value_one(), y.get(), p.get(), ctx.get()) == 1);
  REQUIRE(BN_mod_sub(one_minus.get(), BN_value_one(), y.get(), p.get(), ctx.get()) == 1);
  bn inverse(BN_mod_inverse(nullptr, one_minus.get(), p.get(), ctx.get()), BN_free);
  REQUIRE(inverse);
  REQUIRE(BN_mod_mul(u.get(), one_plus.get(), inverse.get(), p.get(), ctx.get()) == 1);
  curve25519_public_key out{0x05};
  REQUIRE(BN_bn2lebinpad(u.get(), out.data() + 1, 32) == 32);
  return out;
}

bool verifies(const signing_key& key, const bytes& message,
              std::span<const std::uint8_t> signature) {
  const auto public_key = parse_typed_key(key.public_key(), key_purpose::identity);
  REQUIRE(public_key);
  return verify_signature(*public_key, message, signature);
}

struct rfc8032_vector {
  const char* name;
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 section 7.1. In TEST SHA(abc) the public key's top bit (the sign of x) is set,
// so its XEdDSA signature is RFC 8032's with the top bit of the last byte set.
const rfc8032_vector rfc8032_vectors[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
     "1cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613"
     "d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23"
     "a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c6"
     "6431e0303dca179c138ac17ad9bef1177331a704"},
};

}  // namespace

TEST_CASE("XEdDSA signing: RFC 8032 signatures, with the sign of x(A) in the top bit",
          "[crypto][sealed_sender]") {
  for (const auto& v : rfc8032_vectors) {
    INFO(v.name);
    const auto key = signing_key::from_pem(pem_of_seed(from_hex(v.secret)));
    const bytes edwards = from_hex(v.public_key);
    bytes expected = from_hex(v.signature);
    expected[63] |= edwards[31] & 0x80;
    const bytes message = from_hex(v.message);
    const auto signature = key.sign(message);
    CHECK(bytes(signature.begin(), signature.end()) == expected);
    // The 0x05 form is the birational map of A, computed independently.
    CHECK(key.public_key() == montgomery_of_edwards(edwards));
    CHECK(verifies(key, message, signature));
  }
}

TEST_CASE("XEdDSA signing: the verifier accepts fresh keys of both signs, and nothing altered",
          "[crypto][sealed_sender]") {
  int negative = 0;
  for (int i = 0; i < 64; ++i) {
    const auto key = signing_key::generate();
    const bytes message{'c', 'e', 'r', 't', static_cast<std::uint8_t>(i)};
    auto signature = key.sign(message);
    REQUIRE(verifies(key, message, signature));
    negative += (signature[63] & 0x80) != 0 ? 1 : 0;
    bytes other = message;
    other[0] ^= 1;
    CHECK_FALSE(verifies(key, other, signature));
    signature[63] ^= 0x80;  // the wrong sign of x: another key
    CHECK_FALSE(verifies(key, message, signature));
  }
  // About half of all keys have x(A) negative; 64 keys with none (or all) would be 2^-63.
  CHECK(negative > 0);
  CHECK(negative < 64);
}

TEST_CASE("XEdDSA signing: keys round-trip through PKCS#8 PEM, and other PEM is refused",
          "[crypto][sealed_sender]") {
  const auto key = signing_key::generate();
  const auto pem = key.private_pem();
  CHECK(pem.starts_with("-----BEGIN PRIVATE KEY-----"));
  const auto again = signing_key::from_pem(pem);
  CHECK(again.public_key() == key.public_key());
  const bytes message{1, 2, 3};
  CHECK(again.sign(message) == key.sign(message));

  CHECK_THROWS_AS(signing_key::from_pem(""), std::invalid_argument);
  CHECK_THROWS_AS(signing_key::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE "
                                        "KEY-----\n"),
                  std::invalid_argument);
  // An X25519 key is a valid PEM private key, but not one that signs.
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* raw = nullptr;
  REQUIRE(EVP_PKEY_keygen_init(ctx.get()) == 1);
  REQUIRE(EVP_PKEY_keygen(ctx.get(), &raw) == 1);
  const pkey_ptr x25519(raw, EVP_PKEY_free);
  CHECK_THROWS_AS(signing_key::from_pem(pkcs8_pem(x25519.get())), std::invalid_argument);
  // An encrypted key fails rather than asking for a passphrase.
  std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_mem_buf(pem.data(), -1), BIO_free);
  const pkey_ptr ed(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  CHECK_THROWS_AS(signing_key::from_pem(pkcs8_pem(ed.get(), true)), std::invalid_argument);
}
