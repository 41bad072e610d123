// AES-256-GCM against the GCM spec's test cases 13-16 (McGrew-Viega), ChaCha20-Poly1305
// against RFC 8439 section 2.8.2, and tamper tests for both.
#include "crypto/aead.hpp"

#include <openssl/err.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "hex.hpp"

namespace sealpost::client::crypto {
namespace {

using test::as_bytes;
using test::from_hex;
using test::from_hex_array;
using test::to_hex;

struct aead_vector {
  const char* name;
  const char* key;
  const char* nonce;
  const char* plaintext;
  const char* associated_data;
  const char* ciphertext;
  const char* tag;
};

const char* const gcm_key_15 = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";

const aead_vector gcm_vectors[] = {
    {"test case 13", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"test case 14", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "00000000000000000000000000000000", "",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {"test case 15", gcm_key_15, "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
     "",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"test case 16", gcm_key_15, "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

using seal_function = std::vector<std::uint8_t> (*)(const aead_key&,
                                                    std::span<const std::uint8_t, aead_nonce_size>,
                                                    std::span<const std::uint8_t>,
                                                    std::span<const std::uint8_t>);
using open_function = std::optional<secret_bytes<>> (*)(
    const aead_key&, std::span<const std::uint8_t, aead_nonce_size>, std::span<const std::uint8_t>,
    std::span<const std::uint8_t>);

void check_vector(const aead_vector& v, seal_function seal, open_function open) {
  INFO(v.name);
  const aead_key key(from_hex(v.key));
  const aead_nonce nonce = from_hex_array<aead_nonce_size>(v.nonce);
  const std::vector<std::uint8_t> plaintext = from_hex(v.plaintext);
  const std::vector<std::uint8_t> associated_data = from_hex(v.associated_data);

  const std::vector<std::uint8_t> sealed = seal(key, nonce, plaintext, associated_data);
  CHECK(to_hex(sealed) == std::string(v.ciphertext) + v.tag);

  const auto opened = open(key, nonce, sealed, associated_data);
  REQUIRE(opened.has_value());
  CHECK(to_hex(opened->view()) == v.plaintext);
}

// Every single-bit change to the sealed bytes, and any change to the associated data or
// nonce, must be refused.
void check_tampering(const aead_vector& v, open_function open) {
  INFO(v.name);
  const aead_key key(from_hex(v.key));
  const aead_nonce nonce = from_hex_array<aead_nonce_size>(v.nonce);
  const std::vector<std::uint8_t> associated_data = from_hex(v.associated_data);
  const std::vector<std::uint8_t> sealed = from_hex(std::string(v.ciphertext) + v.tag);
  REQUIRE(open(key, nonce, sealed, associated_data).has_value());

  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::vector<std::uint8_t> tampered = sealed;
    tampered[i] ^= 0x01;
    CHECK_FALSE(open(key, nonce, tampered, associated_data).has_value());
  }
  std::vector<std::uint8_t> other_associated_data = associated_data;
  other_associated_data.push_back(0x00);
  CHECK_FALSE(open(key, nonce, sealed, other_associated_data).has_value());
  aead_nonce other_nonce = nonce;
  other_nonce[11] ^= 0x01;
  CHECK_FALSE(open(key, other_nonce, sealed, associated_data).has_value());
  CHECK_FALSE(
      open(key, nonce, std::span(sealed).first(sealed.size() - 1), associated_data).has_value());
  CHECK_FALSE(
      open(key, nonce, std::span(sealed).first(aead_tag_size - 1), associated_data).has_value());
  // Rejections are expected outcomes: nothing may linger in OpenSSL's error queue.
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("client crypto: aes-256-gcm spec test cases 13-16", "[client][crypto]") {
  for (const aead_vector& v : gcm_vectors) {
    check_vector(v, &aes_256_gcm_seal, &aes_256_gcm_open);
  }
}

TEST_CASE("client crypto: aes-256-gcm rejects tampered tags ciphertext data and nonces",
          "[client][crypto]") {
  check_tampering(gcm_vectors[3], &aes_256_gcm_open);
  check_tampering(gcm_vectors[0], &aes_256_gcm_open);
}

const aead_vector rfc8439_vector = {
    "RFC 8439 section 2.8.2", "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
    "070000004041424344454647",
    // "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the
    // future, sunscreen would be it."
    "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
    "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
    "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
    "637265656e20776f756c642062652069742e",
    "50515253c0c1c2c3c4c5c6c7",
    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
    "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
    "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
    "3ff4def08e4b7a9de576d26586cec64b6116",
    "1ae10b594f09e26a7e902ecbd0600691"};

TEST_CASE("client crypto: chacha20-poly1305 RFC 8439 section 2.8.2", "[client][crypto]") {
  check_vector(rfc8439_vector, &chacha20_poly1305_seal, &chacha20_poly1305_open);
}

TEST_CASE("client crypto: chacha20-poly1305 rejects tampering", "[client][crypto]") {
  check_tampering(rfc8439_vector, &chacha20_poly1305_open);
}

TEST_CASE("client crypto: aead open refuses the other algorithm and the wrong key",
          "[client][crypto]") {
  const aead_key key(from_hex(gcm_key_15));
  const aead_nonce nonce{};
  const std::vector<std::uint8_t> sealed = aes_256_gcm_seal(key, nonce, as_bytes("hello"), {});
  CHECK_FALSE(chacha20_poly1305_open(key, nonce, sealed, {}).has_value());
  const aead_key other_key{};
  CHECK_FALSE(aes_256_gcm_open(other_key, nonce, sealed, {}).has_value());
}

}  // namespace
}  // namespace sealpost::client::crypto
