// The Ed25519 -> X25519 identity key map: known answers and the DH agreement it must give.
#include "crypto/identity_key_map.hpp"

#include <catch2/catch.hpp>

#include "hex.hpp"

namespace sealpost::client::crypto {
namespace {

using test::from_hex_array;
using test::to_hex;

// The scalar X25519 actually uses (RFC 7748 decodeScalar25519), to compare with libsodium,
// which stores converted private keys already clamped.
std::string clamped_hex(const x25519_private_key& key) {
  std::array<std::uint8_t, 32> scalar{};
  std::copy(key.view().begin(), key.view().end(), scalar.begin());
  scalar[0] &= 248;
  scalar[31] &= 127;
  scalar[31] |= 64;
  return to_hex(scalar);
}

TEST_CASE("client crypto: identity key map matches libsodium's ed25519_convert vector",
          "[client][crypto]") {
  const ed25519_seed seed(
      from_hex_array<32>("421151a459faeade3d247115f94aedae42318124095afabe4d1451a559faedee"));
  const ed25519_public_key ed_public = ed25519_public_from_seed(seed);
  CHECK(to_hex(ed_public) == "b5076a8474a832daee4dd5b4040983b6623b5f344aca57d4d6ee4baf3f259e6e");

  const auto x_public = x25519_public_from_ed25519_public(ed_public);
  REQUIRE(x_public.has_value());
  CHECK(to_hex(*x_public) == "f1814f0e8ff1043d8a44d25babff3cedcae6c22c3edaa48f857ae70de2baae50");
  CHECK(clamped_hex(x25519_private_from_ed25519_seed(seed)) ==
        "8052030376d47112be7f73ed7a019293dd12ad910b654455798b4667d73de166");
}

TEST_CASE("client crypto: identity key map of the RFC 8032 test 1 key", "[client][crypto]") {
  const auto x_public = x25519_public_from_ed25519_public(
      from_hex_array<32>("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  REQUIRE(x_public.has_value());
  CHECK(to_hex(*x_public) == "d85e07ec22b0ad881537c2f44d662d1a143cf830c57aca4305d85c7a90f6b62e");
}

TEST_CASE("client crypto: identity key map public and private halves correspond",
          "[client][crypto]") {
  for (int i = 0; i < 16; ++i) {
    const ed25519_key_pair pair = ed25519_generate();
    const auto mapped_public = x25519_public_from_ed25519_public(pair.public_key);
    REQUIRE(mapped_public.has_value());
    CHECK(*mapped_public ==
          x25519_public_from_private(x25519_private_from_ed25519_seed(pair.seed)));
  }
}

TEST_CASE("client crypto: identity key map gives both sides the same DH secret",
          "[client][crypto]") {
  const ed25519_key_pair a = ed25519_generate();
  const ed25519_key_pair b = ed25519_generate();
  const auto a_x_public = x25519_public_from_ed25519_public(a.public_key);
  const auto b_x_public = x25519_public_from_ed25519_public(b.public_key);
  REQUIRE(a_x_public.has_value());
  REQUIRE(b_x_public.has_value());
  const auto ab = x25519_dh(x25519_private_from_ed25519_seed(a.seed), *b_x_public);
  const auto ba = x25519_dh(x25519_private_from_ed25519_seed(b.seed), *a_x_public);
  REQUIRE(ab.has_value());
  REQUIRE(ba.has_value());
  CHECK(*ab == *ba);
}

TEST_CASE("client crypto: identity key map ignores the sign bit and rejects bad y",
          "[client][crypto]") {
  auto key = from_hex_array<32>("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const auto plain = x25519_public_from_ed25519_public(key);
  key[31] ^= 0x80;
  CHECK(x25519_public_from_ed25519_public(key) == plain);

  // y = 1 is the identity point; y = p and y = 2^255 - 1 are not canonical encodings.
  const char* rejected[] = {
      "0100000000000000000000000000000000000000000000000000000000000000",
      "0100000000000000000000000000000000000000000000000000000000000080",
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  };
  for (const char* y : rejected) {
    INFO(y);
    CHECK_FALSE(x25519_public_from_ed25519_public(from_hex_array<32>(y)).has_value());
  }
}

}  // namespace
}  // namespace sealpost::client::crypto
