// Fuzz target: typed public keys (server/crypto/typed_key.*) as registration, key uploads and
// bundles carry them, for every key purpose; and the client's decoders of the same
// encoding (client/crypto/key_encoding.*), which read the keys the server hands out.
//
// Properties: parse_typed_key follows DESIGN.md's table exactly (0x05 and 0x0E are 33 bytes;
// prekeys for DH are 0x05 only; any other type byte is a KEM key of 2..2048 bytes, and only
// where a KEM key is expected); a parsed key keeps the bytes it was given; bad input is an
// error value, never an exception; the client accepts an X25519 key exactly when the server
// accepts it as a DH prekey and an Ed25519 key exactly when the server parses an Ed25519
// identity key.
#include "crypto/typed_key.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>

#include "crypto/key_encoding.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace sealpost::crypto;

// DESIGN.md's rules, written out independently of typed_key.cpp.
std::optional<key_error> expected_error(std::span<const std::uint8_t> bytes, key_purpose purpose) {
  if (bytes.empty()) {
    return key_error::empty;
  }
  const std::uint8_t type = bytes[0];
  if (type == curve25519_type_byte || type == ed25519_type_byte) {
    if (purpose == key_purpose::kem_prekey ||
        (purpose == key_purpose::dh_prekey && type != curve25519_type_byte)) {
      return key_error::wrong_type;
    }
    return bytes.size() == 33 ? std::nullopt : std::optional(key_error::wrong_length);
  }
  if (purpose != key_purpose::kem_prekey) {
    return key_error::unknown_type;
  }
  return bytes.size() >= 2 && bytes.size() <= 2048 ? std::nullopt
                                                   : std::optional(key_error::wrong_length);
}

key_type expected_type(std::uint8_t type_byte) {
  if (type_byte == curve25519_type_byte) {
    return key_type::curve25519;
  }
  return type_byte == ed25519_type_byte ? key_type::ed25519 : key_type::kem;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  for (const key_purpose purpose :
       {key_purpose::identity, key_purpose::dh_prekey, key_purpose::kem_prekey}) {
    const typed_key_result parsed = parse_typed_key(bytes, purpose);
    const std::optional<key_error> expected = expected_error(bytes, purpose);
    FUZZ_CHECK(parsed.has_value() == !expected.has_value());
    if (!parsed) {
      FUZZ_CHECK(parsed.error() == *expected);
      FUZZ_CHECK(to_string(parsed.error()) != "unknown_error");
      continue;
    }
    const typed_key& key = parsed.value();
    FUZZ_CHECK(key.type() == expected_type(bytes[0]));
    FUZZ_CHECK(key.type_byte() == bytes[0]);
    FUZZ_CHECK(
        std::equal(key.serialized().begin(), key.serialized().end(), bytes.begin(), bytes.end()));
    FUZZ_CHECK(key.key_bytes().size() == size - 1);
    FUZZ_CHECK(parse_typed_key(key.serialized(), purpose).value() == key);
  }

  namespace client = sealpost::client::crypto;
  const auto as_dh_prekey = parse_typed_key(bytes, key_purpose::dh_prekey);
  const auto client_x25519 = client::decode_x25519_public_key(bytes);
  FUZZ_CHECK(client_x25519.has_value() == as_dh_prekey.has_value());
  if (client_x25519) {
    FUZZ_CHECK(std::equal(client_x25519->begin(), client_x25519->end(),
                          as_dh_prekey->key_bytes().begin(), as_dh_prekey->key_bytes().end()));
    const client::typed_public_key reencoded = client::encode_x25519_public_key(*client_x25519);
    FUZZ_CHECK(std::equal(reencoded.begin(), reencoded.end(), bytes.begin(), bytes.end()));
  }
  const auto as_identity = parse_typed_key(bytes, key_purpose::identity);
  const auto client_ed25519 = client::decode_ed25519_public_key(bytes);
  FUZZ_CHECK(client_ed25519.has_value() ==
             (as_identity.has_value() && as_identity->type() == key_type::ed25519));
  if (client_ed25519) {
    const client::typed_public_key reencoded = client::encode_ed25519_public_key(*client_ed25519);
    FUZZ_CHECK(std::equal(reencoded.begin(), reencoded.end(), bytes.begin(), bytes.end()));
  }
  return 0;
}
