// Tests of identity-key signature verification: RFC 8032 Ed25519 vectors, libsignal's
// XEdDSA vectors from tests/vectors/xeddsa.json, and the edge cases around them.
#include "crypto/signature.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/typed_key.hpp"
#include "hex.hpp"

namespace {

namespace json = boost::json;
using sealpost::crypto::key_purpose;
using sealpost::crypto::parse_typed_key;
using sealpost::crypto::typed_key;
using sealpost::crypto::verify_signature;
using sealpost::crypto::test::from_hex;
using bytes = std::vector<std::uint8_t>;

typed_key identity_key(std::uint8_t type_byte, const bytes& point) {
  bytes serialized{type_byte};
  serialized.insert(serialized.end(), point.begin(), point.end());
  auto parsed = parse_typed_key(serialized, key_purpose::identity);
  REQUIRE(parsed);
  return std::move(parsed).value();
}

typed_key identity_key(const bytes& serialized) {
  auto parsed = parse_typed_key(serialized, key_purpose::identity);
  REQUIRE(parsed);
  return std::move(parsed).value();
}

bytes flip_bit(bytes data, std::size_t byte, int bit) {
  data.at(byte) ^= static_cast<std::uint8_t>(1U << bit);
  return data;
}

// s + L, keeping signature[63]'s top bit (XEdDSA's sign bit) as it was. The result is
// the same signature in a non-canonical spelling: libsignal reduces s mod L and accepts
// it, OpenSSL insists on s < L and rejects it.
bytes add_group_order_to_s(bytes signature) {
  const bytes order = from_hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const unsigned sum = signature[32 + i] + order[i] + carry;
    signature[32 + i] = static_cast<std::uint8_t>(sum);
    carry = sum >> 8;
  }
  return signature;
}

struct ed25519_vector {
  std::string_view name;
  std::string_view public_key;
  std::string_view message;
  std::string_view signature;
};

// RFC 8032 section 7.1 (all but the 1023-byte TEST 1024).
constexpr ed25519_vector rfc8032_vectors[] = {
    {"TEST 1", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701c"
     "f9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0"
     "f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f76098"
     "4dc6594a7c15e9716ed28dc027beceea1ec40a"},
    {"TEST SHA(abc)", "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3"
     "feebbd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c664"
     "31e0303dca179c138ac17ad9bef1177331a704"},
};

struct xeddsa_vector {
  bytes public_key;
  bytes message;
  bytes signature;
  bool valid = false;
  std::string note;
};

std::vector<xeddsa_vector> load_xeddsa_vectors() {
  std::ifstream file(std::string(SEALPOST_TEST_VECTORS_DIR) + "/xeddsa.json");
  REQUIRE(file.good());
  std::stringstream text;
  text << file.rdbuf();
  std::vector<xeddsa_vector> vectors;
  // Keep the parsed document alive: the loop below walks references into it.
  const json::value document = json::parse(text.str());
  for (const json::value& entry : document.as_array()) {
    const json::object& object = entry.as_object();
    vectors.push_back({from_hex(object.at("public_key").as_string()),
                       from_hex(object.at("message").as_string()),
                       from_hex(object.at("signature").as_string()), object.at("valid").as_bool(),
                       std::string(object.at("note").as_string())});
  }
  return vectors;
}

// The number of vectors whose verdict matches `valid`, checking each one with its note.
int check_xeddsa_vectors(bool valid) {
  int count = 0;
  for (const auto& v : load_xeddsa_vectors()) {
    if (v.valid != valid) {
      continue;
    }
    INFO("note: " << v.note);
    CHECK(verify_signature(identity_key(v.public_key), v.message, v.signature) == v.valid);
    ++count;
  }
  return count;
}

// The upstream libsignal KAT, the first entry of xeddsa.json.
struct known_answer {
  bytes public_key = from_hex("05ab7e717d4a163b7d9a1d8071dfe9dcf8cdcd1cea3339b6356be84d887e322c64");
  bytes message = from_hex("05edce9d9c415ca78cb7252e72c2c4a554d3eb29485a0e1d503118d1a82d99fb4a");
  bytes signature = from_hex(
      "5de88ca9a89b4a115da79109c67c9c7464a3e4180274f1cb8c63c2984e286dfbede82deb9dcd9fae0bfbb82156"
      "9b3d9001bd8130cd11d486cef047bd60b86e88");
};

}  // namespace

TEST_CASE("ed25519: RFC 8032 section 7.1 vectors verify", "[signature][ed25519]") {
  for (const auto& v : rfc8032_vectors) {
    INFO(v.name);
    const typed_key key = identity_key(0x0E, from_hex(v.public_key));
    CHECK(verify_signature(key, from_hex(v.message), from_hex(v.signature)));
  }
}

TEST_CASE("ed25519: RFC 8032 vectors with one flipped bit are rejected", "[signature][ed25519]") {
  for (const auto& v : rfc8032_vectors) {
    INFO(v.name);
    const typed_key key = identity_key(0x0E, from_hex(v.public_key));
    const bytes message = from_hex(v.message);
    const bytes signature = from_hex(v.signature);
    for (const std::size_t byte : {0, 17, 31, 32, 50, 63}) {
      INFO("signature byte " << byte);
      CHECK_FALSE(verify_signature(key, message, flip_bit(signature, byte, 0)));
      CHECK_FALSE(verify_signature(key, message, flip_bit(signature, byte, 7)));
    }
    if (!message.empty()) {
      CHECK_FALSE(verify_signature(key, flip_bit(message, 0, 0), signature));
    }
    CHECK_FALSE(verify_signature(identity_key(0x0E, flip_bit(from_hex(v.public_key), 0, 0)),
                                 message, signature));
    // Malleated s + L: same signature mathematically, rejected because s must be < L.
    CHECK_FALSE(verify_signature(key, message, add_group_order_to_s(signature)));
  }
}

TEST_CASE("xeddsa: every valid vector of xeddsa.json verifies", "[signature][xeddsa]") {
  CHECK(check_xeddsa_vectors(true) == 20);
}

TEST_CASE("xeddsa: every invalid vector of xeddsa.json is rejected", "[signature][xeddsa]") {
  CHECK(check_xeddsa_vectors(false) == 21);
}

TEST_CASE("xeddsa: a signature is checked against the key type it names", "[signature][xeddsa]") {
  const known_answer kat;
  REQUIRE(verify_signature(identity_key(kat.public_key), kat.message, kat.signature));
  // The same 32 bytes read as an Ed25519 key: XEdDSA and Ed25519 keys are not interchangeable.
  bytes as_edwards = kat.public_key;
  as_edwards[0] = 0x0E;
  CHECK_FALSE(verify_signature(identity_key(as_edwards), kat.message, kat.signature));
  // A KEM key never verifies anything.
  const bytes kem_bytes(40, 0x08);
  const auto kem = parse_typed_key(kem_bytes, key_purpose::kem_prekey);
  REQUIRE(kem);
  CHECK_FALSE(verify_signature(*kem, kat.message, kat.signature));
}

TEST_CASE("xeddsa: signatures must be exactly 64 bytes", "[signature][xeddsa]") {
  const known_answer kat;
  const typed_key key = identity_key(kat.public_key);
  bytes longer = kat.signature;
  longer.push_back(0);
  CHECK_FALSE(verify_signature(key, kat.message, longer));
  CHECK_FALSE(
      verify_signature(key, kat.message, bytes(kat.signature.begin(), kat.signature.end() - 1)));
  CHECK_FALSE(verify_signature(key, kat.message, bytes{}));
}

TEST_CASE("xeddsa: u-coordinates that are not canonical field elements are rejected",
          "[signature][xeddsa]") {
  const known_answer kat;
  // p - 1 = -1: u + 1 has no inverse (and the point is on the twist).
  const bytes minus_one =
      from_hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  CHECK_FALSE(verify_signature(identity_key(0x05, minus_one), kat.message, kat.signature));
  // p itself, p + 1 and 2^256 - 1.
  for (const char* u : {"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"}) {
    INFO("u = " << u);
    CHECK_FALSE(verify_signature(identity_key(0x05, from_hex(u)), kat.message, kat.signature));
  }
  // The KAT key with bit 255 set: libsignal masks that bit and would accept the KAT
  // signature; the XEdDSA spec (u >= p) and this server reject it.
  bytes high_bit = kat.public_key;
  high_bit[32] |= 0x80;
  CHECK_FALSE(verify_signature(identity_key(high_bit), kat.message, kat.signature));
}

TEST_CASE("xeddsa: u = 0 and u = 1 map without error and verify nothing", "[signature][xeddsa]") {
  const known_answer kat;
  // y = -1 and y = 0: valid Edwards encodings, but not the key that made the KAT.
  CHECK_FALSE(verify_signature(identity_key(0x05, bytes(32, 0)), kat.message, kat.signature));
  bytes one(32, 0);
  one[0] = 1;
  CHECK_FALSE(verify_signature(identity_key(0x05, one), kat.message, kat.signature));
}

TEST_CASE("xeddsa: a non-canonical s (s + L) is rejected", "[signature][xeddsa]") {
  const known_answer kat;
  // libsignal reduces s mod L after checking s < 2^253, so it would accept this; OpenSSL
  // requires s < L. No honest signer produces it, and rejecting keeps signatures
  // non-malleable.
  CHECK_FALSE(verify_signature(identity_key(kat.public_key), kat.message,
                               add_group_order_to_s(kat.signature)));
}
