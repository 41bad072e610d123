// SHA-2 known answers and HMAC-SHA256 against RFC 4231 test cases 1-4, 6 and 7.
#include "crypto/hash.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "hex.hpp"

namespace sealpost::client::crypto {
namespace {

using test::as_bytes;
using test::from_hex;
using test::to_hex;

TEST_CASE("client crypto: sha512 and sha256 of abc", "[client][crypto]") {
  CHECK(to_hex(sha512(as_bytes("abc"))) ==
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  CHECK(to_hex(sha256(as_bytes("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(sha256({})) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

struct rfc4231_case {
  const char* name;
  std::vector<std::uint8_t> key;
  std::vector<std::uint8_t> data;
  const char* tag;
};

std::vector<std::uint8_t> text(std::string_view s) {
  return {s.begin(), s.end()};
}

std::vector<rfc4231_case> rfc4231_cases() {
  return {
      {"case 1", std::vector<std::uint8_t>(20, 0x0b), text("Hi There"),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"case 2", text("Jefe"), text("what do ya want for nothing?"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"case 3", std::vector<std::uint8_t>(20, 0xaa), std::vector<std::uint8_t>(50, 0xdd),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"case 4", from_hex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
       std::vector<std::uint8_t>(50, 0xcd),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {"case 6", std::vector<std::uint8_t>(131, 0xaa),
       text("Test Using Larger Than Block-Size Key - Hash Key First"),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"case 7", std::vector<std::uint8_t>(131, 0xaa),
       text("This is a test using a larger than block-size key and a larger than block-size "
            "data. The key needs to be hashed before being used by the HMAC algorithm."),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
}

TEST_CASE("client crypto: hmac-sha256 RFC 4231 test cases 1-4 6 7", "[client][crypto]") {
  for (const rfc4231_case& c : rfc4231_cases()) {
    INFO(c.name);
    CHECK(to_hex(hmac_sha256(c.key, c.data).view()) == c.tag);
    CHECK(hmac_sha256_verify(c.key, c.data, from_hex(c.tag)));
  }
}

TEST_CASE("client crypto: hmac-sha256 verify rejects wrong tags", "[client][crypto]") {
  const rfc4231_case c = rfc4231_cases()[1];
  std::vector<std::uint8_t> tag = from_hex(c.tag);
  tag[31] ^= 0x01;
  CHECK_FALSE(hmac_sha256_verify(c.key, c.data, tag));
  tag.pop_back();
  CHECK_FALSE(hmac_sha256_verify(c.key, c.data, tag));
  CHECK_FALSE(hmac_sha256_verify(c.key, c.data, {}));
}

TEST_CASE("client crypto: hmac-sha256 accepts an empty key", "[client][crypto]") {
  // HMAC with an empty key is well defined (the key pads to a block of zeros).
  CHECK(to_hex(hmac_sha256({}, {}).view()) ==
        "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

}  // namespace
}  // namespace sealpost::client::crypto
