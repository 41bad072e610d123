// Ed25519 against RFC 8032 section 7.1 tests 1-3, plus rejection of altered inputs.
#include "crypto/ed25519.hpp"

#include <openssl/err.h>

#include <catch2/catch.hpp>
#include <vector>

#include "hex.hpp"

namespace sealpost::client::crypto {
namespace {

using test::from_hex;
using test::from_hex_array;
using test::to_hex;

struct rfc8032_vector {
  const char* name;
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

const rfc8032_vector rfc8032_vectors[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b"
     "46b"
     "d25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11"
     "d8c"
     "387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc"
     "659"
     "4a7c15e9716ed28dc027beceea1ec40a"},
};

TEST_CASE("client crypto: ed25519 RFC 8032 section 7.1 tests 1-3", "[client][crypto]") {
  for (const rfc8032_vector& v : rfc8032_vectors) {
    INFO(v.name);
    const ed25519_seed seed(from_hex_array<32>(v.secret));
    const std::vector<std::uint8_t> message = from_hex(v.message);
    const ed25519_public_key public_key = ed25519_public_from_seed(seed);
    CHECK(to_hex(public_key) == v.public_key);
    const ed25519_signature signature = ed25519_sign(seed, message);
    CHECK(to_hex(signature) == v.signature);
    CHECK(ed25519_verify(public_key, message, signature));
  }
}

TEST_CASE("client crypto: ed25519 rejects altered signatures messages and keys",
          "[client][crypto]") {
  const rfc8032_vector& v = rfc8032_vectors[2];
  const ed25519_public_key public_key = from_hex_array<32>(v.public_key);
  const std::vector<std::uint8_t> message = from_hex(v.message);
  const std::vector<std::uint8_t> signature = from_hex(v.signature);
  REQUIRE(ed25519_verify(public_key, message, signature));

  std::vector<std::uint8_t> bad_signature = signature;
  bad_signature[10] ^= 0x01;
  CHECK_FALSE(ed25519_verify(public_key, message, bad_signature));

  std::vector<std::uint8_t> bad_message = message;
  bad_message[0] ^= 0x80;
  CHECK_FALSE(ed25519_verify(public_key, bad_message, signature));

  const ed25519_public_key other_key = from_hex_array<32>(rfc8032_vectors[0].public_key);
  CHECK_FALSE(ed25519_verify(other_key, message, signature));

  // y = 2 has no x on the curve: the key is not a point at all.
  const ed25519_public_key not_a_point =
      from_hex_array<32>("0200000000000000000000000000000000000000000000000000000000000000");
  CHECK_FALSE(ed25519_verify(not_a_point, message, signature));

  CHECK_FALSE(ed25519_verify(public_key, message, std::span(signature).first(63)));
  CHECK_FALSE(ed25519_verify(public_key, message, {}));

  // S >= L (the group order) must be refused, or signatures become malleable.
  std::vector<std::uint8_t> high_s = signature;
  high_s[63] |= 0xF0;
  CHECK_FALSE(ed25519_verify(public_key, message, high_s));

  // Rejections are expected outcomes: nothing may linger in OpenSSL's error queue.
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("client crypto: ed25519 generated key pairs sign and verify", "[client][crypto]") {
  const ed25519_key_pair pair = ed25519_generate();
  CHECK(ed25519_public_from_seed(pair.seed) == pair.public_key);
  const std::vector<std::uint8_t> message = from_hex("0e0102030405");
  const ed25519_signature signature = ed25519_sign(pair.seed, message);
  CHECK(ed25519_verify(pair.public_key, message, signature));
}

}  // namespace
}  // namespace sealpost::client::crypto
