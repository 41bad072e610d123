// Access keys: libsignal's ProfileKey.deriveAccessKey() against tests/vectors/access_key.json
// (an independent Python implementation, tests/vectors/tools/make_access_key.py) and Signal's
// own known answer, plus fresh profile keys.
#include "crypto/access_key.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "hex.hpp"

namespace sealpost::client::crypto {
namespace {

using test::from_hex;
using test::to_hex;

boost::json::value load_vectors() {
  const std::string path = std::string(SEALPOST_TEST_VECTORS_DIR) + "/access_key.json";
  std::ifstream file(path);
  REQUIRE(file.good());
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return boost::json::parse(text);
}

profile_key profile_key_from_hex(std::string_view hex) {
  return profile_key(from_hex(hex));
}

TEST_CASE("client crypto: access keys match the independent vectors",
          "[client][crypto][access_key]") {
  const boost::json::value document = load_vectors();
  const boost::json::array& vectors = document.at("vectors").as_array();
  REQUIRE(vectors.size() >= 3);
  for (const boost::json::value& entry : vectors) {
    const boost::json::object& vector = entry.as_object();
    INFO(std::string(vector.at("name").as_string()));
    const profile_key key = profile_key_from_hex(std::string(vector.at("profile_key").as_string()));
    const access_key derived = derive_access_key(key);
    CHECK(to_hex(derived.view()) == std::string(vector.at("access_key").as_string()));
  }
}

TEST_CASE("client crypto: access key of Signal's own known answer",
          "[client][crypto][access_key]") {
  // Signal-Android's UnidentifiedAccessTest.testKeyDerivation: profile key 32 x 0x02.
  profile_key key;
  std::fill(key.data(), key.data() + key.size(), std::uint8_t{0x02});
  CHECK(to_hex(derive_access_key(key).view()) == "5a723acee52c5ea02b92a3a360c09595");
  // All-zero key: the GCM spec's test case 14 ciphertext.
  CHECK(to_hex(derive_access_key(profile_key{}).view()) == "cea7403d4d606b6e074ec5d3baf39d18");
}

TEST_CASE("client crypto: profile keys are fresh, access keys deterministic",
          "[client][crypto][access_key]") {
  const profile_key a = generate_profile_key();
  const profile_key b = generate_profile_key();
  CHECK_FALSE(a == b);
  CHECK_FALSE(a == profile_key{});
  CHECK(derive_access_key(a) == derive_access_key(a));
  CHECK_FALSE(derive_access_key(a) == derive_access_key(b));
  CHECK(derive_access_key(a).size() == access_key_size);
}

}  // namespace
}  // namespace sealpost::client::crypto
