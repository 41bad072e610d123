// Safety numbers against every vector of tests/vectors/fingerprint.json (libsignal's output).
#include "crypto/fingerprint.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "hex.hpp"

namespace sealpost::client::crypto {
namespace {

using test::from_hex;

boost::json::value load_vectors() {
  const std::string path = std::string(SEALPOST_TEST_VECTORS_DIR) + "/fingerprint.json";
  std::ifstream file(path);
  REQUIRE(file.good());
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return boost::json::parse(text);
}

std::string string_field(const boost::json::object& vector, const char* name) {
  return std::string(vector.at(name).as_string());
}

TEST_CASE("client crypto: fingerprint reproduces every vector", "[client][crypto]") {
  const boost::json::value document = load_vectors();
  const boost::json::array& vectors = document.at("vectors").as_array();
  REQUIRE_FALSE(vectors.empty());
  for (const boost::json::value& entry : vectors) {
    const boost::json::object& v = entry.as_object();
    const auto iterations = boost::json::value_to<std::uint32_t>(v.at("iterations"));
    const std::string local_id = string_field(v, "local_id");
    const std::string remote_id = string_field(v, "remote_id");
    const std::vector<std::uint8_t> local_key = from_hex(string_field(v, "local_key"));
    const std::vector<std::uint8_t> remote_key = from_hex(string_field(v, "remote_key"));
    const std::string expected = string_field(v, "displayable");
    INFO(local_id << " / " << remote_id);

    CHECK(displayable_fingerprint(iterations, local_id, local_key, remote_id, remote_key) ==
          expected);
    // Both parties must see the same number.
    CHECK(displayable_fingerprint(iterations, remote_id, remote_key, local_id, local_key) ==
          expected);
    // And it is made of the two parties' halves.
    const std::string local = fingerprint_digits(iterations, local_id, local_key);
    const std::string remote = fingerprint_digits(iterations, remote_id, remote_key);
    CHECK(local.size() == 30);
    CHECK((expected == local + remote || expected == remote + local));
  }
}

TEST_CASE("client crypto: fingerprint depends on key and id", "[client][crypto]") {
  std::vector<std::uint8_t> key(33, 0x0E);
  const std::string base = fingerprint_digits(fingerprint_iterations, "alice", key);
  CHECK(base.find_first_not_of("0123456789") == std::string::npos);
  CHECK(fingerprint_digits(fingerprint_iterations, "alicf", key) != base);
  key[32] ^= 0x01;
  CHECK(fingerprint_digits(fingerprint_iterations, "alice", key) != base);
  CHECK_THROWS_AS(fingerprint_digits(0, "alice", key), std::invalid_argument);
}

}  // namespace
}  // namespace sealpost::client::crypto
