// AES-256-CTR against NIST SP 800-38A F.5.5 / F.5.6, libsignal's zero-counter vector, and the
// 128-bit counter wrap; sizes checked.
#include "crypto/aes_ctr.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <stdexcept>
#include <vector>

#include "hex.hpp"

namespace sealpost::client::crypto {
namespace {

using test::from_hex;
using test::from_hex_array;
using test::to_hex;

// Functions rather than globals, so that a broken fixture fails a test, not start-up.
std::array<std::uint8_t, 32> nist_key() {
  return from_hex_array<32>("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
}
std::array<std::uint8_t, 16> nist_counter() {
  return from_hex_array<16>("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
}
constexpr const char* nist_plaintext =
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
constexpr const char* nist_ciphertext =
    "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
    "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6";

TEST_CASE("client crypto: aes-256-ctr SP 800-38A F.5.5 encrypt", "[client][crypto]") {
  CHECK(to_hex(aes_256_ctr(nist_key(), nist_counter(), from_hex(nist_plaintext))) ==
        nist_ciphertext);
}

TEST_CASE("client crypto: aes-256-ctr SP 800-38A F.5.6 decrypt", "[client][crypto]") {
  CHECK(to_hex(aes_256_ctr(nist_key(), nist_counter(), from_hex(nist_ciphertext))) ==
        nist_plaintext);
}

TEST_CASE("client crypto: aes-256-ctr partial blocks and in-place use", "[client][crypto]") {
  const std::vector<std::uint8_t> plaintext = from_hex(nist_plaintext);
  // 35 bytes: two whole blocks and a partial one give a prefix of the full keystream.
  const std::vector<std::uint8_t> prefix(plaintext.begin(), plaintext.begin() + 35);
  CHECK(to_hex(aes_256_ctr(nist_key(), nist_counter(), prefix)) ==
        std::string(nist_ciphertext).substr(0, 70));

  std::vector<std::uint8_t> buffer = plaintext;
  aes_256_ctr_xor(nist_key(), nist_counter(), buffer, buffer);
  CHECK(to_hex(buffer) == nist_ciphertext);
}

TEST_CASE("client crypto: aes-256-ctr zero counter (libsignal's vector) and 128-bit wrap",
          "[client][crypto]") {
  const std::array<std::uint8_t, 16> zero{};
  const std::vector<std::uint8_t> zeros(35, 0);
  CHECK(to_hex(aes_256_ctr(nist_key(), zero, zeros)) ==
        "e568f68194cf76d6174d4cc04310a85491151e5d0b7a1f1bc0d7acd0ae3e51e4170e23");
  // The all-ones counter block is followed by the all-zero one.
  std::array<std::uint8_t, 16> ones{};
  ones.fill(0xff);
  CHECK(to_hex(aes_256_ctr(nist_key(), ones, std::vector<std::uint8_t>(32, 0))) ==
        "3b3c2921c85a24de9ac606ce6d1d60cce568f68194cf76d6174d4cc04310a854");
}

TEST_CASE("client crypto: aes-256-ctr sizes", "[client][crypto]") {
  const std::array<std::uint8_t, 16> zero{};
  CHECK(aes_256_ctr(nist_key(), zero, {}).empty());
  std::vector<std::uint8_t> input(16, 0);
  std::vector<std::uint8_t> short_output(15, 0);
  CHECK_THROWS_AS(aes_256_ctr_xor(nist_key(), zero, input, short_output), std::invalid_argument);
}

}  // namespace
}  // namespace sealpost::client::crypto
