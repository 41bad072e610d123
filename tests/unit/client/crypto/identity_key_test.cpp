// Identity keys of both forms: the 0x05 form and its XEdDSA-compatible signatures checked on
// RFC 8032's vectors and libsignal's XEdDSA vectors (tests/vectors/xeddsa.json), the 0x0E
// form kept for older state files, and Diffie-Hellman across the two.
#include "crypto/identity_key.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "crypto/identity_key_map.hpp"
#include "hex.hpp"

namespace sealpost::client::crypto {
namespace {

using test::from_hex;
using test::from_hex_array;
using test::to_hex;

// RFC 8032 section 7.1, TEST SHA(abc): its public key has the sign bit of x set (A[31] =
// 0xbf), so the 0x05 signature differs from the RFC's in the top bit of byte 63.
struct rfc8032_sha_abc {
  ed25519_seed seed{
      from_hex_array<32>("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42")};
  std::string edwards_public = "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf";
  std::vector<std::uint8_t> message = from_hex(
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3"
      "feebbd454d4423643ce80e2a9ac94fa54ca49f");
  std::string signature =
      "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c664"
      "31e0303dca179c138ac17ad9bef1177331a704";
};

std::vector<std::uint8_t> with_top_bit_of_last_byte(std::vector<std::uint8_t> signature, bool set) {
  if (set) {
    signature.back() |= 0x80;
  } else {
    signature.back() &= 0x7F;
  }
  return signature;
}

TEST_CASE("client crypto: a 0x05 identity is the X25519 form of the Ed25519 key",
          "[client][crypto]") {
  const rfc8032_sha_abc v;
  const identity_key_pair key = identity_from_seed(v.seed, identity_form::curve25519);
  CHECK(key.form() == identity_form::curve25519);
  CHECK(key.public_key[0] == 0x05);
  // Two derivations that must agree: X25519 of the Ed25519 scalar, and the birational map.
  const auto mapped = x25519_public_from_ed25519_public(from_hex_array<32>(v.edwards_public));
  REQUIRE(mapped.has_value());
  CHECK(to_hex(std::span(key.public_key).subspan(1)) == to_hex(*mapped));
  CHECK(identity_dh_public_key(key.public_key) == *mapped);
}

TEST_CASE("client crypto: a 0x05 identity signs RFC 8032 with the sign bit in sig[63]",
          "[client][crypto]") {
  const rfc8032_sha_abc v;
  const identity_key_pair key = identity_from_seed(v.seed, identity_form::curve25519);
  const ed25519_signature signature = identity_sign(key, v.message);
  const std::vector<std::uint8_t> expected = with_top_bit_of_last_byte(from_hex(v.signature), true);
  CHECK(to_hex(signature) == to_hex(expected));
  CHECK(identity_verify(key.public_key, v.message, signature));

  std::vector<std::uint8_t> without_sign_bit(signature.begin(), signature.end());
  without_sign_bit.back() &= 0x7F;
  CHECK_FALSE(identity_verify(key.public_key, v.message, without_sign_bit));
  std::vector<std::uint8_t> other_message = v.message;
  other_message[0] ^= 0x01;
  CHECK_FALSE(identity_verify(key.public_key, other_message, signature));
}

TEST_CASE("client crypto: a 0x0E identity is the Ed25519 key and signs plain RFC 8032",
          "[client][crypto]") {
  const rfc8032_sha_abc v;
  const identity_key_pair key = identity_from_seed(v.seed, identity_form::ed25519);
  CHECK(key.form() == identity_form::ed25519);
  CHECK(to_hex(key.public_key) == "0e" + v.edwards_public);
  const ed25519_signature signature = identity_sign(key, v.message);
  CHECK(to_hex(signature) == v.signature);
  CHECK(identity_verify(key.public_key, v.message, signature));
  // The 0x05 form's signature is not valid under the 0x0E key: the forms do not mix.
  const identity_key_pair curve = identity_from_seed(v.seed, identity_form::curve25519);
  CHECK_FALSE(identity_verify(key.public_key, v.message, identity_sign(curve, v.message)));
}

TEST_CASE("client crypto: identity_verify agrees with libsignal's XEdDSA vectors",
          "[client][crypto]") {
  std::ifstream file(std::string(SEALPOST_TEST_VECTORS_DIR) + "/xeddsa.json");
  REQUIRE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  const boost::json::value document = boost::json::parse(text.str());
  int valid = 0;
  int invalid = 0;
  for (const boost::json::value& entry : document.as_array()) {
    const boost::json::object& v = entry.as_object();
    INFO("note: " << v.at("note").as_string().c_str());
    const bool expected = v.at("valid").as_bool();
    CHECK(identity_verify(from_hex(v.at("public_key").as_string()),
                          from_hex(v.at("message").as_string()),
                          from_hex(v.at("signature").as_string())) == expected);
    ++(expected ? valid : invalid);
  }
  CHECK(valid >= 2);
  CHECK(invalid >= 2);
}

TEST_CASE("client crypto: fresh identities are 0x05, and DH agrees across both forms",
          "[client][crypto]") {
  const identity_key_pair alice = generate_identity();
  CHECK(alice.form() == identity_form::curve25519);
  const identity_key_pair bob =
      identity_from_seed(generate_identity().seed, identity_form::ed25519);
  const auto alice_public = identity_dh_public_key(alice.public_key);
  const auto bob_public = identity_dh_public_key(bob.public_key);
  REQUIRE(alice_public.has_value());
  REQUIRE(bob_public.has_value());
  const auto alice_side = x25519_dh(identity_dh_private_key(alice), *bob_public);
  const auto bob_side = x25519_dh(identity_dh_private_key(bob), *alice_public);
  REQUIRE(alice_side.has_value());
  REQUIRE(bob_side.has_value());
  CHECK(*alice_side == *bob_side);
  // The identity_dh_private_key of either form pairs with its public key.
  CHECK(x25519_public_from_private(identity_dh_private_key(alice)) == *alice_public);
  CHECK(x25519_public_from_private(identity_dh_private_key(bob)) == *bob_public);
}

TEST_CASE("client crypto: identity key decoding takes only the two identity forms",
          "[client][crypto]") {
  const identity_key_pair key = generate_identity();
  std::vector<std::uint8_t> typed(key.public_key.begin(), key.public_key.end());
  CHECK(decode_identity_key(typed) == key.public_key);
  typed[0] = ed25519_key_type;
  CHECK(decode_identity_key(typed).has_value());
  typed[0] = 0x08;  // a KEM key type
  CHECK_FALSE(decode_identity_key(typed).has_value());
  CHECK_FALSE(identity_dh_public_key(typed).has_value());
  CHECK_FALSE(identity_verify(typed, typed, identity_sign(key, typed)));
  typed[0] = curve25519_key_type;
  typed.pop_back();
  CHECK_FALSE(decode_identity_key(typed).has_value());
  typed.push_back(0);
  typed.push_back(0);
  CHECK_FALSE(decode_identity_key(typed).has_value());
  // 0x0E keys whose y has no X25519 image: y = 1 (the identity point) and y = p.
  std::vector<std::uint8_t> no_image(typed_key_size, 0);
  no_image[0] = ed25519_key_type;
  no_image[1] = 1;
  CHECK(decode_identity_key(no_image).has_value());
  CHECK_FALSE(identity_dh_public_key(no_image).has_value());
  const auto p = from_hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  std::copy(p.begin(), p.end(), no_image.begin() + 1);
  CHECK_FALSE(identity_dh_public_key(no_image).has_value());
}

}  // namespace
}  // namespace sealpost::client::crypto
