// ECVRF-P256-SHA256-TAI against RFC 9381's examples step by step, the KEYTRANS wrapping against
// katie's proofs byte for byte, and every kind of malformed or mismatched input refused.
#include "keytrans/vrf.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>

#include "keytrans_vector_file.hpp"

namespace sealpost::keytrans {
namespace {

// The P-256 group order n, big-endian.
constexpr std::string_view p256_order_hex =
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

std::uint8_t hex_nibble(char c) {
  if (c >= '0' && c <= '9') {
    return static_cast<std::uint8_t>(c - '0');
  }
  if (c >= 'a' && c <= 'f') {
    return static_cast<std::uint8_t>(c - 'a' + 10);
  }
  throw std::invalid_argument("bad hex digit");
}

bytes from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    throw std::invalid_argument("odd hex length");
  }
  bytes out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(hex_nibble(hex[i]) << 4 | hex_nibble(hex[i + 1])));
  }
  return out;
}

std::string to_hex(std::span<const std::uint8_t> data) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (const std::uint8_t byte : data) {
    hex += digits[byte >> 4];
    hex += digits[byte & 0x0F];
  }
  return hex;
}

std::string hex_field(const boost::json::object& object, const char* name) {
  return std::string(object.at(name).as_string());
}

std::optional<std::string> verify_hex(std::span<const std::uint8_t> public_key,
                                      std::span<const std::uint8_t> alpha,
                                      std::span<const std::uint8_t> pi) {
  const std::optional<vrf_output> beta = vrf_verify(public_key, alpha, pi);
  if (!beta) {
    return std::nullopt;
  }
  return to_hex(*beta);
}

// RFC 9381 Example 10 (sk, alpha = "sample"), the base of the hand-made negative cases.
struct example_10 {
  bytes sk = from_hex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
  bytes pk = from_hex("0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6");
  bytes alpha = from_hex("73616d706c65");
  bytes pi = from_hex(
      "035b5c726e8c0e2c488a107c600578ee75cb702343c153cb1eb8dec77f4b5071b4a53f0a46f018bc2c56e58d383f"
      "2305e0975972c26feea0eb122fe7893c15af376b33edf7de17c6ea056d4d82de6bc02f");
  std::string beta = "a3ad7b0ef73d8fc6655053ea22f9bede8c743f08bbed3d38821f0e16474b505e";
};

// A 33-byte 02 || x whose x is below p but is no point's x coordinate.
bytes off_curve_encoding() {
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  EC_POINT* point = EC_POINT_new(group);
  REQUIRE(group != nullptr);
  REQUIRE(point != nullptr);
  bytes encoded(33, 0x00);
  encoded[0] = 0x02;
  bool found = false;
  for (int x = 1; x < 256 && !found; ++x) {
    encoded[32] = static_cast<std::uint8_t>(x);
    found = EC_POINT_oct2point(group, point, encoded.data(), encoded.size(), nullptr) != 1;
  }
  ERR_clear_error();
  EC_POINT_free(point);
  EC_GROUP_free(group);
  REQUIRE(found);
  return encoded;
}

// The same point in SEC1 uncompressed form (65 bytes).
bytes uncompressed_encoding(const bytes& compressed) {
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  EC_POINT* point = EC_POINT_new(group);
  REQUIRE(group != nullptr);
  REQUIRE(point != nullptr);
  REQUIRE(EC_POINT_oct2point(group, point, compressed.data(), compressed.size(), nullptr) == 1);
  bytes out(65);
  const std::size_t size = EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED,
                                              out.data(), out.size(), nullptr);
  EC_POINT_free(point);
  EC_GROUP_free(group);
  out.resize(size);
  return out;
}

TEST_CASE("keytrans vrf: RFC 9381 ECVRF-P256-SHA256-TAI examples, every intermediate value",
          "[keytrans][vrf]") {
  const boost::json::value document = test::load_keytrans_file("rfc9381-p256-tai.json");
  const boost::json::array& cases = document.at("cases").as_array();
  REQUIRE(cases.size() == 3);
  for (const boost::json::value& entry : cases) {
    const boost::json::object& v = entry.as_object();
    INFO(hex_field(v, "name"));
    const bytes alpha = from_hex(hex_field(v, "alpha"));
    const std::optional<vrf_private_key> key =
        vrf_private_key::from_bytes(from_hex(hex_field(v, "sk")));
    REQUIRE(key.has_value());
    CHECK(to_hex(key->public_key()) == hex_field(v, "pk"));

    vrf_prove_trace trace;
    const bytes pi = key->prove_traced(alpha, trace);
    CHECK(trace.counter == boost::json::value_to<unsigned>(v.at("ctr")));
    CHECK(to_hex(trace.h) == hex_field(v, "h"));
    CHECK(to_hex(trace.k) == hex_field(v, "k"));
    CHECK(to_hex(trace.u) == hex_field(v, "u"));
    CHECK(to_hex(trace.v) == hex_field(v, "v"));
    CHECK(to_hex(pi) == hex_field(v, "pi"));
    CHECK(key->prove(alpha) == pi);

    const bytes expected_pi = from_hex(hex_field(v, "pi"));
    CHECK(verify_hex(from_hex(hex_field(v, "pk")), alpha, expected_pi) == hex_field(v, "beta"));
    const std::optional<vrf_output> beta = vrf_proof_to_hash(expected_pi);
    REQUIRE(beta.has_value());
    CHECK(to_hex(*beta) == hex_field(v, "beta"));
  }
}

TEST_CASE("keytrans vrf: KT_128_SHA256_P256 VrfInput, search key and proof match katie",
          "[keytrans][vrf]") {
  const boost::json::value document = test::load_keytrans_file("vrf-p256.json");
  REQUIRE(document.at("cipher_suite").as_int64() == 1);
  const boost::json::array& cases = document.at("cases").as_array();
  int accepted = 0;
  int rejected = 0;
  for (const boost::json::value& entry : cases) {
    const boost::json::object& c = entry.as_object();
    const boost::json::object& input = c.at("input").as_object();
    const boost::json::object& expect = c.at("expect").as_object();
    INFO(hex_field(c, "name"));
    const bytes label = from_hex(hex_field(input, "label"));
    const auto version = boost::json::value_to<std::uint32_t>(input.at("version"));
    const bytes public_key = from_hex(hex_field(input, "public_key"));
    const std::optional<vrf_private_key> key =
        vrf_private_key::from_bytes(from_hex(hex_field(input, "private_key")));
    REQUIRE(key.has_value());
    CHECK(key->public_key() == public_key);
    const bytes alpha = encode_vrf_input(label, version);

    if (expect.contains("error")) {
      REQUIRE(expect.at("error").as_bool());
      CHECK_FALSE(vrf_verify(public_key, alpha, from_hex(hex_field(input, "proof"))).has_value());
      ++rejected;
      continue;
    }
    CHECK(to_hex(alpha) == hex_field(expect, "vrf_input"));
    const bytes pi = key->prove(alpha);
    CHECK(to_hex(pi) == hex_field(expect, "proof"));
    CHECK(verify_hex(public_key, alpha, from_hex(hex_field(expect, "proof"))) ==
          hex_field(expect, "output"));
    ++accepted;
  }
  CHECK(accepted == 10);
  CHECK(rejected == 1);
}

TEST_CASE("keytrans vrf: every single-bit change to a proof is refused", "[keytrans][vrf]") {
  const example_10 ex;
  REQUIRE(verify_hex(ex.pk, ex.alpha, ex.pi) == ex.beta);
  for (std::size_t i = 0; i < ex.pi.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      bytes tampered = ex.pi;
      tampered[i] ^= static_cast<std::uint8_t>(1U << bit);
      INFO("byte " << i << " bit " << bit);
      CHECK_FALSE(vrf_verify(ex.pk, ex.alpha, tampered).has_value());
    }
  }
  CHECK(ERR_peek_error() == 0);  // refusals leave no stale OpenSSL errors behind
}

TEST_CASE("keytrans vrf: a proof does not verify for another input or key", "[keytrans][vrf]") {
  const example_10 ex;
  CHECK_FALSE(vrf_verify(ex.pk, from_hex("74657374"), ex.pi).has_value());  // "test"
  CHECK_FALSE(vrf_verify(ex.pk, {}, ex.pi).has_value());
  bytes longer_alpha = ex.alpha;
  longer_alpha.push_back(0x00);
  CHECK_FALSE(vrf_verify(ex.pk, longer_alpha, ex.pi).has_value());
  // Example 12's key.
  const bytes other_pk =
      from_hex("03596375e6ce57e0f20294fc46bdfcfd19a39f8161b58695b3ec5b3d16427c274d");
  CHECK_FALSE(vrf_verify(other_pk, ex.alpha, ex.pi).has_value());
  // Y with the other y: -Y.
  bytes negated_pk = ex.pk;
  negated_pk[0] = 0x02;
  CHECK_FALSE(vrf_verify(negated_pk, ex.alpha, ex.pi).has_value());
}

TEST_CASE("keytrans vrf: malformed public keys are refused", "[keytrans][vrf]") {
  const example_10 ex;
  const bytes off_curve = off_curve_encoding();
  CHECK_FALSE(vrf_verify(off_curve, ex.alpha, ex.pi).has_value());
  bytes x_above_p(33, 0xFF);
  x_above_p[0] = 0x02;
  CHECK_FALSE(vrf_verify(x_above_p, ex.alpha, ex.pi).has_value());
  // The point at infinity: SEC1's single zero byte, and 33 zero bytes.
  CHECK_FALSE(vrf_verify(bytes{0x00}, ex.alpha, ex.pi).has_value());
  CHECK_FALSE(vrf_verify(bytes(33, 0x00), ex.alpha, ex.pi).has_value());
  // Right x, wrong prefix (00, 01, 04, hybrid 06/07).
  for (const std::uint8_t prefix : {0x00, 0x01, 0x04, 0x06, 0x07}) {
    bytes pk = ex.pk;
    pk[0] = prefix;
    CHECK_FALSE(vrf_verify(pk, ex.alpha, ex.pi).has_value());
  }
  // Wrong sizes, including the uncompressed form of the right key.
  CHECK_FALSE(vrf_verify({}, ex.alpha, ex.pi).has_value());
  CHECK_FALSE(vrf_verify(std::span(ex.pk).first(32), ex.alpha, ex.pi).has_value());
  bytes extended_pk = ex.pk;
  extended_pk.push_back(0x00);
  CHECK_FALSE(vrf_verify(extended_pk, ex.alpha, ex.pi).has_value());
  const bytes uncompressed = uncompressed_encoding(ex.pk);
  REQUIRE(uncompressed.size() == 65);
  CHECK_FALSE(vrf_verify(uncompressed, ex.alpha, ex.pi).has_value());
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("keytrans vrf: malformed proofs are refused", "[keytrans][vrf]") {
  const example_10 ex;
  const auto with = [&](std::size_t offset, const bytes& part) {
    bytes pi = ex.pi;
    std::copy(part.begin(), part.end(), pi.begin() + static_cast<std::ptrdiff_t>(offset));
    return pi;
  };
  // Gamma off the curve, at infinity, with x >= p.
  CHECK_FALSE(vrf_verify(ex.pk, ex.alpha, with(0, off_curve_encoding())).has_value());
  CHECK_FALSE(vrf_verify(ex.pk, ex.alpha, with(0, bytes(33, 0x00))).has_value());
  bytes gamma_x_above_p(33, 0xFF);
  gamma_x_above_p[0] = 0x03;
  CHECK_FALSE(vrf_verify(ex.pk, ex.alpha, with(0, gamma_x_above_p)).has_value());
  // c with its top bytes set; c = 0.
  CHECK_FALSE(vrf_verify(ex.pk, ex.alpha, with(33, bytes(4, 0xFF))).has_value());
  CHECK_FALSE(vrf_verify(ex.pk, ex.alpha, with(33, bytes(16, 0xFF))).has_value());
  CHECK_FALSE(vrf_verify(ex.pk, ex.alpha, with(33, bytes(16, 0x00))).has_value());
  // s = n, n + 1, 2^256 - 1, and 0.
  bytes n = from_hex(p256_order_hex);
  CHECK_FALSE(vrf_verify(ex.pk, ex.alpha, with(49, n)).has_value());
  n.back() += 1;
  CHECK_FALSE(vrf_verify(ex.pk, ex.alpha, with(49, n)).has_value());
  CHECK_FALSE(vrf_verify(ex.pk, ex.alpha, with(49, bytes(32, 0xFF))).has_value());
  CHECK_FALSE(vrf_verify(ex.pk, ex.alpha, with(49, bytes(32, 0x00))).has_value());
  // Truncated and extended.
  for (std::size_t size = 0; size < ex.pi.size(); ++size) {
    CHECK_FALSE(vrf_verify(ex.pk, ex.alpha, std::span(ex.pi).first(size)).has_value());
  }
  bytes extended = ex.pi;
  extended.push_back(0x00);
  CHECK_FALSE(vrf_verify(ex.pk, ex.alpha, extended).has_value());
  CHECK_FALSE(vrf_proof_to_hash(extended).has_value());
  CHECK_FALSE(vrf_proof_to_hash(std::span(ex.pi).first(80)).has_value());
  CHECK_FALSE(vrf_proof_to_hash(with(0, bytes(33, 0x00))).has_value());
  CHECK(ERR_peek_error() == 0);
}

TEST_CASE("keytrans vrf: secret scalars outside 1..n-1 or not 32 bytes are refused",
          "[keytrans][vrf]") {
  bytes n = from_hex(p256_order_hex);
  CHECK_FALSE(vrf_private_key::from_bytes(n).has_value());
  CHECK_FALSE(vrf_private_key::from_bytes(bytes(32, 0x00)).has_value());
  CHECK_FALSE(vrf_private_key::from_bytes(bytes(32, 0xFF)).has_value());
  CHECK_FALSE(vrf_private_key::from_bytes(bytes(31, 0x01)).has_value());
  CHECK_FALSE(vrf_private_key::from_bytes(bytes(33, 0x01)).has_value());
  n.back() -= 1;
  CHECK(vrf_private_key::from_bytes(n).has_value());
  // n + 2^8 and n - 2^8 + 1: the comparison carries across bytes.
  n.back() += 1;
  n[30] += 1;
  CHECK_FALSE(vrf_private_key::from_bytes(n).has_value());
  n[30] -= 2;
  n.back() += 1;
  CHECK(vrf_private_key::from_bytes(n).has_value());
  bytes middle_bit(32, 0x00);
  middle_bit[16] = 0x80;
  CHECK(vrf_private_key::from_bytes(middle_bit).has_value());
  bytes one(32, 0x00);
  one.back() = 0x01;
  const std::optional<vrf_private_key> key = vrf_private_key::from_bytes(one);
  REQUIRE(key.has_value());
  // 1*B is the generator.
  CHECK(to_hex(key->public_key()) ==
        "036b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
}

TEST_CASE("keytrans vrf: a generated key proves and verifies, and moves keep the scalar",
          "[keytrans][vrf]") {
  vrf_private_key first = vrf_private_key::generate();
  const vrf_private_key second = vrf_private_key::generate();
  CHECK(first.public_key() != second.public_key());
  const bytes alpha = encode_vrf_input(bytes{0x02, 'a', 'l', 'i', 'c', 'e'}, 3);
  const bytes pi = first.prove(alpha);
  REQUIRE(pi.size() == vrf_proof_size);
  const std::optional<vrf_output> beta = vrf_verify(first.public_key(), alpha, pi);
  REQUIRE(beta.has_value());
  CHECK(vrf_proof_to_hash(pi) == beta);
  CHECK_FALSE(vrf_verify(second.public_key(), alpha, pi).has_value());
  // evaluate() gives the same proof and, without decoding it again, the verified output.
  const vrf_evaluation evaluation = first.evaluate(alpha);
  CHECK(evaluation.proof == pi);
  CHECK(evaluation.output == *beta);

  std::array<std::uint8_t, vrf_scalar_size> exported{};
  first.export_scalar(exported);
  const bytes public_key = first.public_key();
  const vrf_private_key moved = std::move(first);
  CHECK(moved.public_key() == public_key);
  // A moved-from key is wiped and refuses to work.
  // NOLINTNEXTLINE(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
  CHECK_THROWS_AS(first.prove(alpha), std::logic_error);
  // NOLINTNEXTLINE(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
  CHECK_THROWS_AS(first.evaluate(alpha), std::logic_error);
  // NOLINTNEXTLINE(bugprone-use-after-move,clang-analyzer-cplusplus.Move)
  CHECK_THROWS_AS(first.public_key(), std::logic_error);
  const std::optional<vrf_private_key> reloaded = vrf_private_key::from_bytes(exported);
  REQUIRE(reloaded.has_value());
  CHECK(reloaded->prove(alpha) == pi);
}

TEST_CASE("keytrans vrf: a long alpha proves and verifies, and is hashed once per call",
          "[keytrans][vrf]") {
  const example_10 ex;
  const std::optional<vrf_private_key> key = vrf_private_key::from_bytes(ex.sk);
  REQUIRE(key.has_value());
  const bytes alpha(1 << 20, 0xA5);
  const bytes pi = key->prove(alpha);
  CHECK(vrf_verify(ex.pk, alpha, pi).has_value());
  CHECK_FALSE(vrf_verify(ex.pk, alpha, ex.pi).has_value());
}

TEST_CASE("keytrans vrf: VrfInput is a u8-prefixed label then a big-endian u32",
          "[keytrans][vrf]") {
  CHECK(to_hex(encode_vrf_input(bytes{0x61, 0x62}, 0x01020304)) == "02616201020304");
  CHECK(to_hex(encode_vrf_input({}, 0)) == "0000000000");
  CHECK(encode_vrf_input(bytes(255, 0x61), 0).size() == 260);
  CHECK_THROWS_AS(encode_vrf_input(bytes(256, 0x61), 0), std::length_error);
}

}  // namespace
}  // namespace sealpost::keytrans
