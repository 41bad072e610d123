// Tests of typed public key parsing: type bytes, lengths and purposes.
#include "crypto/typed_key.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

namespace {

using sealpost::crypto::key_error;
using sealpost::crypto::key_purpose;
using sealpost::crypto::key_type;
using sealpost::crypto::parse_typed_key;

std::vector<std::uint8_t> key_of(std::uint8_t type_byte, std::size_t total_size) {
  std::vector<std::uint8_t> bytes(total_size, 0x42);
  if (!bytes.empty()) {
    bytes.front() = type_byte;
  }
  return bytes;
}

key_error error_of(const std::vector<std::uint8_t>& bytes, key_purpose purpose) {
  const auto result = parse_typed_key(bytes, purpose);
  REQUIRE_FALSE(result.has_value());
  return result.error();
}

}  // namespace

TEST_CASE("typed keys: identity keys are 33-byte Curve25519 or Ed25519 keys", "[typed_key]") {
  const auto curve = key_of(0x05, 33);
  const auto parsed_curve = parse_typed_key(curve, key_purpose::identity);
  REQUIRE(parsed_curve);
  CHECK(parsed_curve->type() == key_type::curve25519);
  CHECK(parsed_curve->type_byte() == 0x05);
  CHECK(parsed_curve->key_bytes().size() == 32);
  CHECK(std::vector<std::uint8_t>(parsed_curve->serialized().begin(),
                                  parsed_curve->serialized().end()) == curve);

  const auto edwards = parse_typed_key(key_of(0x0E, 33), key_purpose::identity);
  REQUIRE(edwards);
  CHECK(edwards->type() == key_type::ed25519);
  CHECK(edwards->key_bytes().size() == 32);

  CHECK(error_of(key_of(0x05, 32), key_purpose::identity) == key_error::wrong_length);
  CHECK(error_of(key_of(0x05, 34), key_purpose::identity) == key_error::wrong_length);
  CHECK(error_of(key_of(0x0E, 1), key_purpose::identity) == key_error::wrong_length);
  CHECK(error_of(key_of(0x0E, 65), key_purpose::identity) == key_error::wrong_length);
  CHECK(error_of(key_of(0x08, 33), key_purpose::identity) == key_error::unknown_type);
  CHECK(error_of(key_of(0x00, 33), key_purpose::identity) == key_error::unknown_type);
  CHECK(error_of({}, key_purpose::identity) == key_error::empty);
}

TEST_CASE("typed keys: DH prekeys are Curve25519 only", "[typed_key]") {
  const auto parsed = parse_typed_key(key_of(0x05, 33), key_purpose::dh_prekey);
  REQUIRE(parsed);
  CHECK(parsed->type() == key_type::curve25519);

  CHECK(error_of(key_of(0x0E, 33), key_purpose::dh_prekey) == key_error::wrong_type);
  CHECK(error_of(key_of(0x05, 31), key_purpose::dh_prekey) == key_error::wrong_length);
  CHECK(error_of(key_of(0x08, 1569), key_purpose::dh_prekey) == key_error::unknown_type);
  CHECK(error_of({}, key_purpose::dh_prekey) == key_error::empty);
}

TEST_CASE("typed keys: KEM keys are opaque, 2 to 2048 bytes, never an EC type", "[typed_key]") {
  for (const std::size_t size : {std::size_t{2}, std::size_t{1569}, std::size_t{2048}}) {
    INFO("size " << size);
    const auto parsed = parse_typed_key(key_of(0x08, size), key_purpose::kem_prekey);
    REQUIRE(parsed);
    CHECK(parsed->type() == key_type::kem);
    CHECK(parsed->type_byte() == 0x08);
    CHECK(parsed->serialized().size() == size);
    CHECK(parsed->key_bytes().size() == size - 1);
  }
  // Any type byte but the EC ones may name a KEM; the server does not keep a list.
  CHECK(parse_typed_key(key_of(0x00, 100), key_purpose::kem_prekey).has_value());
  CHECK(parse_typed_key(key_of(0xFF, 100), key_purpose::kem_prekey).has_value());

  CHECK(error_of(key_of(0x08, 1), key_purpose::kem_prekey) == key_error::wrong_length);
  CHECK(error_of(key_of(0x08, 2049), key_purpose::kem_prekey) == key_error::wrong_length);
  CHECK(error_of(key_of(0x05, 33), key_purpose::kem_prekey) == key_error::wrong_type);
  CHECK(error_of(key_of(0x0E, 33), key_purpose::kem_prekey) == key_error::wrong_type);
  CHECK(error_of({}, key_purpose::kem_prekey) == key_error::empty);
}

TEST_CASE("typed keys: errors have stable names and results compare by bytes", "[typed_key]") {
  CHECK(to_string(key_error::empty) == "empty");
  CHECK(to_string(key_error::unknown_type) == "unknown_type");
  CHECK(to_string(key_error::wrong_type) == "wrong_type");
  CHECK(to_string(key_error::wrong_length) == "wrong_length");

  const auto a = parse_typed_key(key_of(0x05, 33), key_purpose::identity);
  const auto b = parse_typed_key(key_of(0x05, 33), key_purpose::dh_prekey);
  auto other_bytes = key_of(0x05, 33);
  other_bytes.back() = 0x43;
  const auto c = parse_typed_key(other_bytes, key_purpose::identity);
  REQUIRE((a && b && c));
  CHECK(*a == *b);
  CHECK_FALSE(*a == *c);
  CHECK_THROWS_AS(a.error(), std::bad_variant_access);
}
