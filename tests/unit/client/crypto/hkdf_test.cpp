// HKDF-SHA256 against RFC 5869 appendix A test cases 1-3.
#include "crypto/hkdf.hpp"

#include <catch2/catch.hpp>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "hex.hpp"

namespace sealpost::client::crypto {
namespace {

using test::to_hex;

// first, first + 1, ..., first + count - 1: how RFC 5869 writes its long inputs.
std::vector<std::uint8_t> counting(std::uint8_t first, std::size_t count) {
  std::vector<std::uint8_t> bytes(count);
  std::iota(bytes.begin(), bytes.end(), first);
  return bytes;
}

TEST_CASE("client crypto: hkdf-sha256 RFC 5869 test case 1", "[client][crypto]") {
  const std::vector<std::uint8_t> ikm(22, 0x0b);
  CHECK(to_hex(hkdf_sha256(ikm, counting(0x00, 13), counting(0xf0, 10), 42).view()) ==
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST_CASE("client crypto: hkdf-sha256 RFC 5869 test case 2", "[client][crypto]") {
  CHECK(
      to_hex(hkdf_sha256(counting(0x00, 80), counting(0x60, 80), counting(0xb0, 80), 82).view()) ==
      "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
      "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
      "cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

TEST_CASE("client crypto: hkdf-sha256 RFC 5869 test case 3 empty salt and info",
          "[client][crypto]") {
  const std::vector<std::uint8_t> ikm(22, 0x0b);
  CHECK(to_hex(hkdf_sha256(ikm, {}, {}, 42).view()) ==
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST_CASE("client crypto: hkdf-sha256 length limits", "[client][crypto]") {
  const std::vector<std::uint8_t> ikm(32, 0x01);
  CHECK(hkdf_sha256(ikm, {}, {}, hkdf_sha256_max_length).size() == hkdf_sha256_max_length);
  CHECK_THROWS_AS(hkdf_sha256(ikm, {}, {}, 0), std::invalid_argument);
  CHECK_THROWS_AS(hkdf_sha256(ikm, {}, {}, hkdf_sha256_max_length + 1), std::invalid_argument);
}

}  // namespace
}  // namespace sealpost::client::crypto
