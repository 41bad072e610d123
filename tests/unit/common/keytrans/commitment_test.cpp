// Commitments against every case of tests/vectors/keytrans/commitment.json, plus tampering.
#include "keytrans/commitment.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "keytrans_vector_file.hpp"

namespace sealpost::keytrans {
namespace {

using test::hex_array;
using test::hex_field;

struct commitment_input {
  commitment_opening opening;
  bytes label;
  std::uint32_t version;
  bytes value;
};

commitment_input read_input(const boost::json::object& input) {
  return {hex_array<commitment_opening>(input, "opening"), hex_field(input, "label"),
          boost::json::value_to<std::uint32_t>(input.at("version")),
          hex_field(input.at("update").as_object(), "value")};
}

TEST_CASE("keytrans: commitments reproduce every vector and refuse the wrong opening",
          "[keytrans]") {
  int positive = 0;
  int negative = 0;
  for (const boost::json::value& entry : test::load_keytrans_cases("commitment.json")) {
    const boost::json::object& vector = entry.as_object();
    const boost::json::object& expect = vector.at("expect").as_object();
    const commitment_input in = read_input(vector.at("input").as_object());
    INFO(std::string(vector.at("name").as_string()));
    if (expect.contains("error")) {
      const bytes claimed = hex_field(vector.at("input").as_object(), "commitment");
      CHECK_FALSE(verify_commitment(claimed, in.opening, in.label, in.version, in.value));
      ++negative;
      continue;
    }
    const bytes expected = hex_field(expect, "commitment");
    CHECK(encode_commitment_value(in.opening, in.label, in.version, in.value) ==
          hex_field(expect, "commitment_value"));
    const std::optional<commitment_digest> digest =
        compute_commitment(in.opening, in.label, in.version, in.value);
    REQUIRE(digest);
    CHECK(bytes(digest->begin(), digest->end()) == expected);
    CHECK(verify_commitment(expected, in.opening, in.label, in.version, in.value));
    ++positive;
  }
  CHECK(positive == 6);
  CHECK(negative == 1);
}

TEST_CASE("keytrans: a commitment binds opening, label, version and value", "[keytrans]") {
  const commitment_opening opening = new_commitment_opening();
  const bytes label{0x01, 0xAA, 0xBB};
  const bytes value{0x10, 0x20, 0x30};
  const std::optional<commitment_digest> digest = compute_commitment(opening, label, 7, value);
  REQUIRE(digest);
  const bytes commitment(digest->begin(), digest->end());
  REQUIRE(verify_commitment(commitment, opening, label, 7, value));

  for (std::size_t i = 0; i < commitment.size(); ++i) {
    bytes flipped = commitment;
    flipped[i] ^= 0x01;
    CHECK_FALSE(verify_commitment(flipped, opening, label, 7, value));
  }
  for (std::size_t i = 0; i < opening.size(); ++i) {
    commitment_opening flipped = opening;
    flipped[i] ^= 0x80;
    CHECK_FALSE(verify_commitment(commitment, flipped, label, 7, value));
  }
  CHECK_FALSE(verify_commitment(commitment, opening, bytes{0x01, 0xAA, 0xBC}, 7, value));
  CHECK_FALSE(verify_commitment(commitment, opening, label, 8, value));
  CHECK_FALSE(verify_commitment(commitment, opening, label, 7, bytes{0x10, 0x20}));
  // Wrong sizes from the wire are refused, not read past.
  CHECK_FALSE(
      verify_commitment(bytes(commitment.begin(), commitment.end() - 1), opening, label, 7, value));
  CHECK_FALSE(
      verify_commitment(commitment, bytes(opening.begin(), opening.end() - 1), label, 7, value));
  // Labels longer than <0..2^8-1> have no encoding: refused without a throw.
  CHECK_FALSE(encode_commitment_value(opening, bytes(256, 0x61), 0, value));
  CHECK_FALSE(verify_commitment(commitment, opening, bytes(256, 0x61), 7, value));
  // Two fresh openings differ (RAND_priv_bytes, not a constant).
  CHECK(new_commitment_opening() != new_commitment_opening());
}

TEST_CASE("keytrans: commitments reject tampered.json's commitment cases", "[keytrans]") {
  int rejected = 0;
  for (const boost::json::value& entry : test::load_keytrans_cases("tampered.json")) {
    const boost::json::object& input = entry.at("input").as_object();
    if (input.at("kind").as_string() != "commitment") {
      continue;
    }
    INFO(std::string(entry.at("name").as_string()));
    REQUIRE(entry.at("expect").at("error").as_bool());
    const commitment_input in = read_input(input);
    CHECK_FALSE(verify_commitment(hex_field(input, "commitment"), in.opening, in.label, in.version,
                                  in.value));
    ++rejected;
  }
  CHECK(rejected == 4);
}

}  // namespace
}  // namespace sealpost::keytrans
