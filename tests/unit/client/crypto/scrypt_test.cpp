// scrypt against RFC 7914 section 12 (all but the N = 1048576 vector, which takes too long).
#include "crypto/scrypt.hpp"

#include <catch2/catch.hpp>
#include <limits>
#include <stdexcept>

#include "hex.hpp"

namespace sealpost::client::crypto {
namespace {

using test::as_bytes;
using test::to_hex;

TEST_CASE("client crypto: scrypt RFC 7914 N 16 empty inputs", "[client][crypto]") {
  CHECK(to_hex(scrypt({}, {}, {.n = 16, .r = 1, .p = 1}, 64).view()) ==
        "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
        "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906");
}

TEST_CASE("client crypto: scrypt RFC 7914 password NaCl N 1024", "[client][crypto]") {
  CHECK(to_hex(scrypt(as_bytes("password"), as_bytes("NaCl"), {.n = 1024, .r = 8, .p = 16}, 64)
                   .view()) ==
        "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
        "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
}

TEST_CASE("client crypto: scrypt RFC 7914 pleaseletmein N 16384", "[client][crypto]") {
  CHECK(to_hex(scrypt(as_bytes("pleaseletmein"), as_bytes("SodiumChloride"),
                      {.n = 16384, .r = 8, .p = 1}, 64)
                   .view()) ==
        "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2"
        "d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887");
}

TEST_CASE("client crypto: scrypt rejects bad parameters before deriving", "[client][crypto]") {
  const auto derive = [](scrypt_params params, std::size_t length = 32) {
    return scrypt(as_bytes("pw"), as_bytes("salt"), params, length);
  };
  CHECK_THROWS_AS(derive({.n = 0, .r = 8, .p = 1}), std::invalid_argument);
  CHECK_THROWS_AS(derive({.n = 1, .r = 8, .p = 1}), std::invalid_argument);
  CHECK_THROWS_AS(derive({.n = 1000, .r = 8, .p = 1}), std::invalid_argument);
  CHECK_THROWS_AS(derive({.n = 1024, .r = 0, .p = 1}), std::invalid_argument);
  CHECK_THROWS_AS(derive({.n = 1024, .r = 8, .p = 0}), std::invalid_argument);
  CHECK_THROWS_AS(derive({.n = 1024, .r = 8, .p = 1}, 0), std::invalid_argument);
  CHECK_THROWS_AS(derive({.n = std::uint64_t{1} << 20, .r = 16, .p = 1}), std::invalid_argument);
  CHECK_THROWS_AS(derive({.n = std::uint64_t{1} << 62, .r = 8, .p = 1}), std::invalid_argument);
  CHECK_THROWS_AS(derive({.n = 1024, .r = 1 << 20, .p = 1 << 10}), std::invalid_argument);
  CHECK_THROWS_AS(derive({.n = std::uint64_t{1} << 16, .r = 1, .p = 1}), std::invalid_argument);
  CHECK(scrypt_memory_bytes({.n = std::numeric_limits<std::uint64_t>::max(), .r = 8, .p = 1}) ==
        std::numeric_limits<std::uint64_t>::max());
}

}  // namespace
}  // namespace sealpost::client::crypto
