// Typed public-key encoding: the type byte is written and checked.
#include "crypto/key_encoding.hpp"

#include <catch2/catch.hpp>
#include <vector>

namespace sealpost::client::crypto {
namespace {

TEST_CASE("client crypto: typed keys round trip and check the type byte", "[client][crypto]") {
  ed25519_public_key raw{};
  raw[0] = 0xAB;
  raw[31] = 0xCD;
  const typed_public_key identity = encode_ed25519_public_key(raw);
  CHECK(identity[0] == 0x0E);
  CHECK(decode_ed25519_public_key(identity) == raw);
  CHECK_FALSE(decode_x25519_public_key(identity).has_value());

  const typed_public_key prekey = encode_x25519_public_key(raw);
  CHECK(prekey[0] == 0x05);
  CHECK(decode_x25519_public_key(prekey) == raw);
  CHECK_FALSE(decode_ed25519_public_key(prekey).has_value());

  CHECK_FALSE(decode_ed25519_public_key(std::span(identity).first(32)).has_value());
  std::vector<std::uint8_t> too_long(identity.begin(), identity.end());
  too_long.push_back(0);
  CHECK_FALSE(decode_ed25519_public_key(too_long).has_value());
  CHECK_FALSE(decode_ed25519_public_key({}).has_value());
}

}  // namespace
}  // namespace sealpost::client::crypto
