// X25519 against RFC 7748 sections 5.2 and 6.1, plus low-order point rejection.
#include "crypto/x25519.hpp"

#include <openssl/err.h>

#include <catch2/catch.hpp>

#include "hex.hpp"

namespace sealpost::client::crypto {
namespace {

using test::from_hex_array;
using test::to_hex;

// The raw X25519 function of RFC 7748 section 5 (scalar times u-coordinate).
x25519_public_key scalar_mult(std::span<const std::uint8_t, 32> scalar,
                              std::span<const std::uint8_t, 32> u) {
  const auto result = x25519_dh(x25519_private_key(scalar), u);
  REQUIRE(result.has_value());
  x25519_public_key out{};
  std::copy(result->view().begin(), result->view().end(), out.begin());
  return out;
}

TEST_CASE("client crypto: x25519 RFC 7748 section 5.2 vectors", "[client][crypto]") {
  struct vector {
    const char* scalar;
    const char* u;
    const char* output;
  };
  const vector vectors[] = {
      {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
       "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
       "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
      // The u-coordinate has its top bit set, which X25519 must ignore.
      {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
       "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
       "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
  };
  for (const vector& v : vectors) {
    CHECK(to_hex(scalar_mult(from_hex_array<32>(v.scalar), from_hex_array<32>(v.u))) == v.output);
  }
}

TEST_CASE("client crypto: x25519 RFC 7748 section 5.2 iterated 1 and 1000 times",
          "[client][crypto]") {
  x25519_public_key k{9};
  x25519_public_key u{9};
  for (int i = 1; i <= 1000; ++i) {
    const x25519_public_key next = scalar_mult(k, u);
    u = k;
    k = next;
    if (i == 1) {
      CHECK(to_hex(k) == "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
    }
  }
  CHECK(to_hex(k) == "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
}

TEST_CASE("client crypto: x25519 RFC 7748 section 6.1 key agreement", "[client][crypto]") {
  const x25519_private_key alice(
      from_hex_array<32>("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
  const x25519_private_key bob(
      from_hex_array<32>("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
  const x25519_public_key alice_public = x25519_public_from_private(alice);
  const x25519_public_key bob_public = x25519_public_from_private(bob);
  CHECK(to_hex(alice_public) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  CHECK(to_hex(bob_public) == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");

  const auto alice_shared = x25519_dh(alice, bob_public);
  const auto bob_shared = x25519_dh(bob, alice_public);
  REQUIRE(alice_shared.has_value());
  REQUIRE(bob_shared.has_value());
  CHECK(to_hex(alice_shared->view()) ==
        "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  CHECK(*alice_shared == *bob_shared);
}

TEST_CASE("client crypto: x25519 rejects low-order peer points", "[client][crypto]") {
  const x25519_key_pair ours = x25519_generate();
  // u = 0, u = 1 and a point of order 8: each forces an all-zero shared secret.
  const char* low_order_points[] = {
      "0000000000000000000000000000000000000000000000000000000000000000",
      "0100000000000000000000000000000000000000000000000000000000000000",
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
  };
  for (const char* point : low_order_points) {
    CHECK_FALSE(x25519_dh(ours.private_key, from_hex_array<32>(point)).has_value());
  }
  // A rejected point is an expected outcome: nothing may linger in OpenSSL's error queue.
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("client crypto: x25519 generated key pairs agree", "[client][crypto]") {
  const x25519_key_pair a = x25519_generate();
  const x25519_key_pair b = x25519_generate();
  CHECK(x25519_public_from_private(a.private_key) == a.public_key);
  CHECK_FALSE(a.private_key == b.private_key);
  const auto ab = x25519_dh(a.private_key, b.public_key);
  const auto ba = x25519_dh(b.private_key, a.public_key);
  REQUIRE(ab.has_value());
  REQUIRE(ba.has_value());
  CHECK(*ab == *ba);
}

}  // namespace
}  // namespace sealpost::client::crypto
