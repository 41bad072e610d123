// Sealed sender v1: round trips, every modified, truncated or extended message refused,
// wrong keys and versions refused, the content codec, and the independent Python vectors
// of tests/vectors/sealed_sender_v1.json (decrypted, and re-encrypted byte for byte).
#include "protocol/sealed_sender_v1.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "../crypto/hex.hpp"
#include "crypto/random.hpp"

namespace sealpost::client::protocol {
namespace {

using crypto::test::from_hex;
using crypto::test::from_hex_array;
using crypto::test::to_hex;

// A party whose identity key is a 0x05 key: typed form 0x05 || u, DH with the same key.
struct party {
  crypto::x25519_key_pair keys;
  sealed_sender_typed_key identity{};
};

party make_party() {
  party p{crypto::x25519_generate(), {}};
  p.identity[0] = 0x05;
  std::copy(p.keys.public_key.begin(), p.keys.public_key.end(), p.identity.begin() + 1);
  return p;
}

std::vector<std::uint8_t> bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

sealed_sender_content sample_content() {
  sealed_sender_content content;
  content.type = sealed_content_type::prekey_message;
  content.sender_certificate = bytes_of("a sender certificate");
  content.content = bytes_of("an inner prekey message");
  content.content_hint = 1;
  content.group_id = bytes_of("group id");
  return content;
}

std::vector<std::uint8_t> seal_or_fail(const party& from, const party& to,
                                       std::span<const std::uint8_t> content) {
  result<std::vector<std::uint8_t>> sealed = seal_sealed_sender_v1(
      to.identity, to.keys.public_key, from.identity, from.keys.private_key, content);
  INFO("error: " << (sealed ? "none" : describe(sealed.error())));
  REQUIRE(sealed.has_value());
  return std::move(sealed).value();
}

std::vector<std::uint8_t> as_vector(const crypto::secret_bytes<>& bytes) {
  return {bytes.data(), bytes.data() + bytes.size()};
}

// X25519 u-coordinates that give an all-zero shared secret (RFC 7748 section 6.1).
std::vector<crypto::x25519_public_key> low_order_points() {
  return {
      from_hex_array<32>("0000000000000000000000000000000000000000000000000000000000000000"),
      from_hex_array<32>("0100000000000000000000000000000000000000000000000000000000000000"),
      from_hex_array<32>("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
      from_hex_array<32>("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
      from_hex_array<32>("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
  };
}

TEST_CASE("client protocol: sealed sender v1 round trip", "[client][protocol][sealed_sender]") {
  const party alice = make_party();
  const party bob = make_party();
  const std::vector<std::uint8_t> content = encode_sealed_sender_content(sample_content());
  const std::vector<std::uint8_t> sealed = seal_or_fail(alice, bob, content);
  CHECK(sealed[0] == 0x11);

  result<sealed_sender_v1_opened> opened =
      open_sealed_sender_v1(bob.identity, bob.keys.private_key, sealed);
  REQUIRE(opened.has_value());
  CHECK(opened->sender_identity == alice.identity);
  CHECK(as_vector(opened->content) == content);
  result<sealed_sender_content> decoded = decode_sealed_sender_content(opened->content.view());
  REQUIRE(decoded.has_value());
  CHECK(*decoded == sample_content());

  // A fresh ephemeral key every time; the empty content seals too.
  CHECK(seal_or_fail(alice, bob, content) != sealed);
  result<sealed_sender_v1_opened> empty =
      open_sealed_sender_v1(bob.identity, bob.keys.private_key, seal_or_fail(alice, bob, {}));
  REQUIRE(empty.has_value());
  CHECK(empty->content.empty());
}

TEST_CASE("client protocol: sealed sender v1 refuses every modified byte",
          "[client][protocol][sealed_sender]") {
  const party alice = make_party();
  const party bob = make_party();
  const std::vector<std::uint8_t> sealed =
      seal_or_fail(alice, bob, encode_sealed_sender_content(sample_content()));
  int refused = 0;
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (const std::uint8_t mask : {0x01, 0x02, 0x10, 0x80, 0xff}) {
      std::vector<std::uint8_t> mutated = sealed;
      mutated[i] ^= mask;
      result<sealed_sender_v1_opened> opened =
          open_sealed_sender_v1(bob.identity, bob.keys.private_key, mutated);
      INFO("byte " << i << " mask " << int{mask});
      CHECK_FALSE(opened.has_value());
      refused += opened.has_value() ? 0 : 1;
    }
  }
  CHECK(refused == static_cast<int>(sealed.size()) * 5);
  // The original still opens: the loop tested the mutations, not a broken message.
  CHECK(open_sealed_sender_v1(bob.identity, bob.keys.private_key, sealed).has_value());
}

TEST_CASE("client protocol: sealed sender v1 refuses truncated and extended messages",
          "[client][protocol][sealed_sender]") {
  const party alice = make_party();
  const party bob = make_party();
  const std::vector<std::uint8_t> sealed =
      seal_or_fail(alice, bob, encode_sealed_sender_content(sample_content()));
  for (std::size_t length = 0; length < sealed.size(); ++length) {
    const std::span<const std::uint8_t> prefix(sealed.data(), length);
    INFO("length " << length);
    CHECK_FALSE(open_sealed_sender_v1(bob.identity, bob.keys.private_key, prefix).has_value());
  }
  for (const std::uint8_t extra : {0x00, 0x08, 0x22}) {
    std::vector<std::uint8_t> extended = sealed;
    extended.push_back(extra);
    extended.push_back(0x00);
    CHECK(open_sealed_sender_v1(bob.identity, bob.keys.private_key, extended).error() ==
          protocol_error::malformed_message);
  }
}

TEST_CASE("client protocol: sealed sender v1 refuses the wrong recipient",
          "[client][protocol][sealed_sender]") {
  const party alice = make_party();
  const party bob = make_party();
  const party eve = make_party();
  const std::vector<std::uint8_t> sealed =
      seal_or_fail(alice, bob, encode_sealed_sender_content(sample_content()));
  CHECK(open_sealed_sender_v1(eve.identity, eve.keys.private_key, sealed).error() ==
        protocol_error::decryption_failed);
  // Bob's DH key under another published form: the typed key is part of the salt.
  sealed_sender_typed_key as_ed25519 = bob.identity;
  as_ed25519[0] = 0x0E;
  CHECK(open_sealed_sender_v1(as_ed25519, bob.keys.private_key, sealed).error() ==
        protocol_error::decryption_failed);
  // The sender cannot open what it sealed for someone else.
  CHECK(open_sealed_sender_v1(alice.identity, alice.keys.private_key, sealed).error() ==
        protocol_error::decryption_failed);
  // Our own keys must agree with each other: a caller's mistake, not bad input.
  CHECK_THROWS_AS(open_sealed_sender_v1(bob.identity, eve.keys.private_key, sealed),
                  std::invalid_argument);
}

TEST_CASE("client protocol: sealed sender v1 refuses other version bytes",
          "[client][protocol][sealed_sender]") {
  const party alice = make_party();
  const party bob = make_party();
  const std::vector<std::uint8_t> sealed =
      seal_or_fail(alice, bob, encode_sealed_sender_content(sample_content()));
  CHECK(open_sealed_sender_v1(bob.identity, bob.keys.private_key, {}).error() ==
        protocol_error::unsupported_sealed_sender_version);
  for (const std::uint8_t version : {0x00, 0x01, 0x10, 0x12, 0x1f, 0x21, 0x22, 0x23, 0x33, 0xff}) {
    std::vector<std::uint8_t> other = sealed;
    other[0] = version;
    INFO("version " << int{version});
    CHECK(open_sealed_sender_v1(bob.identity, bob.keys.private_key, other).error() ==
          protocol_error::unsupported_sealed_sender_version);
  }
}

TEST_CASE("client protocol: sealed sender v1 refuses low-order keys",
          "[client][protocol][sealed_sender]") {
  const party alice = make_party();
  const party bob = make_party();
  const std::vector<std::uint8_t> sealed =
      seal_or_fail(alice, bob, encode_sealed_sender_content(sample_content()));
  // 0x11, tag 0x0a, length 0x21, 0x05, then the ephemeral u-coordinate.
  REQUIRE(to_hex(std::span(sealed).first(4)) == "110a2105");
  for (const crypto::x25519_public_key& point : low_order_points()) {
    std::vector<std::uint8_t> mutated = sealed;
    std::copy(point.begin(), point.end(), mutated.begin() + 4);
    INFO("point " << to_hex(point));
    CHECK(open_sealed_sender_v1(bob.identity, bob.keys.private_key, mutated).error() ==
          protocol_error::invalid_public_key);

    // Sealing to a low-order recipient key is refused, not sent.
    party low_order_recipient;
    low_order_recipient.keys.public_key = point;
    low_order_recipient.identity[0] = 0x05;
    std::copy(point.begin(), point.end(), low_order_recipient.identity.begin() + 1);
    CHECK(seal_sealed_sender_v1(low_order_recipient.identity, point, alice.identity,
                                alice.keys.private_key, {})
              .error() == protocol_error::invalid_identity_key);
  }
}

TEST_CASE("client protocol: sealed sender v1 checks the keys it seals with",
          "[client][protocol][sealed_sender]") {
  const party alice = make_party();
  const party bob = make_party();
  const party carol = make_party();
  const std::vector<std::uint8_t> content = bytes_of("content");
  // A 0x05 recipient identity that is not the DH key given, or an unknown type byte.
  CHECK(seal_sealed_sender_v1(bob.identity, carol.keys.public_key, alice.identity,
                              alice.keys.private_key, content)
            .error() == protocol_error::invalid_identity_key);
  sealed_sender_typed_key unknown_type = bob.identity;
  unknown_type[0] = 0x07;
  CHECK(seal_sealed_sender_v1(unknown_type, bob.keys.public_key, alice.identity,
                              alice.keys.private_key, content)
            .error() == protocol_error::invalid_identity_key);
  // A 0x0E recipient identity takes its DH key from the caller.
  sealed_sender_typed_key bob_as_ed25519 = bob.identity;
  bob_as_ed25519[0] = 0x0E;
  result<std::vector<std::uint8_t>> to_ed25519 = seal_sealed_sender_v1(
      bob_as_ed25519, bob.keys.public_key, alice.identity, alice.keys.private_key, content);
  REQUIRE(to_ed25519.has_value());
  CHECK(open_sealed_sender_v1(bob_as_ed25519, bob.keys.private_key, *to_ed25519).has_value());
  CHECK(open_sealed_sender_v1(bob.identity, bob.keys.private_key, *to_ed25519).error() ==
        protocol_error::decryption_failed);
  // The sender's own keys: 0x05 only, and matching.
  sealed_sender_typed_key alice_as_ed25519 = alice.identity;
  alice_as_ed25519[0] = 0x0E;
  CHECK_THROWS_AS(seal_sealed_sender_v1(bob.identity, bob.keys.public_key, alice_as_ed25519,
                                        alice.keys.private_key, content),
                  std::invalid_argument);
  CHECK_THROWS_AS(seal_sealed_sender_v1(bob.identity, bob.keys.public_key, alice.identity,
                                        carol.keys.private_key, content),
                  std::invalid_argument);
}

TEST_CASE("client protocol: sealed sender v1 survives random garbage",
          "[client][protocol][sealed_sender]") {
  const party bob = make_party();
  std::mt19937 rng(11);
  std::uniform_int_distribution<std::size_t> length(0, 200);
  for (int i = 0; i < 2000; ++i) {
    std::vector<std::uint8_t> garbage = crypto::random_bytes(length(rng));
    if (!garbage.empty() && i % 2 == 0) {
      garbage[0] = 0x11;  // get past the version check half of the time
    }
    result<sealed_sender_v1_opened> opened =
        open_sealed_sender_v1(bob.identity, bob.keys.private_key, garbage);
    CHECK_FALSE(opened.has_value());
    CHECK_NOTHROW(decode_sealed_sender_content(garbage));
  }
}

TEST_CASE("client protocol: sealed sender content round trip",
          "[client][protocol][sealed_sender]") {
  for (const sealed_content_type type :
       {sealed_content_type::prekey_message, sealed_content_type::message,
        sealed_content_type::senderkey_message, sealed_content_type::plaintext_content}) {
    sealed_sender_content minimal;
    minimal.type = type;
    minimal.sender_certificate = bytes_of("certificate");
    result<sealed_sender_content> decoded =
        decode_sealed_sender_content(encode_sealed_sender_content(minimal));
    REQUIRE(decoded.has_value());
    CHECK(*decoded == minimal);
  }
  sealed_sender_content full = sample_content();
  full.content_hint = 0x7fffffff;  // unknown hints are kept as they came
  full.content = std::vector<std::uint8_t>(1000, 0xab);
  result<sealed_sender_content> decoded =
      decode_sealed_sender_content(encode_sealed_sender_content(full));
  REQUIRE(decoded.has_value());
  CHECK(*decoded == full);
  // Hand-encoded: type 2, certificate "c", empty content.
  CHECK(to_hex(encode_sealed_sender_content(
            {sealed_content_type::message, bytes_of("c"), {}, std::nullopt, std::nullopt})) ==
        "08021201631a00");
}

TEST_CASE("client protocol: sealed sender content refuses garbage",
          "[client][protocol][sealed_sender]") {
  for (const std::string_view hex : {
           "",                        // nothing
           "1201631a00",              // no type
           "08021a00",                // no certificate
           "0802120163",              // no content
           "08001201631a00",          // type 0
           "08031201631a00",          // type 3 (reserved by libsignal)
           "08091201631a00",          // type 9
           "08ffffffff0f1201631a00",  // type 2^32 - 1
           "0802120563",              // certificate longer than the input
           "08021201631a",            // content length missing
           "08021201631a00ff",        // a trailing byte that starts no valid field
           "0f",                      // wire type 7
       }) {
    INFO("input " << hex);
    result<sealed_sender_content> decoded = decode_sealed_sender_content(from_hex(hex));
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error() == protocol_error::malformed_message);
  }
  // Unknown fields are skipped, as libsignal skips them.
  result<sealed_sender_content> with_unknown =
      decode_sealed_sender_content(from_hex("08021201631a003001"));
  REQUIRE(with_unknown.has_value());
  CHECK(with_unknown->sender_certificate == bytes_of("c"));
}

// --- tests/vectors/sealed_sender_v1.json (tests/vectors/tools/make_sealed_sender_v1.py) ---

boost::json::value load_vectors(const char* file_name = "sealed_sender_v1.json") {
  const std::string path = std::string(SEALPOST_TEST_VECTORS_DIR) + "/" + file_name;
  std::ifstream file(path);
  REQUIRE(file.good());
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return boost::json::parse(text);
}

std::vector<std::uint8_t> hex_field(const boost::json::object& object, const char* name) {
  return from_hex(std::string(object.at(name).as_string()));
}

template <std::size_t N>
std::array<std::uint8_t, N> hex_array(const boost::json::object& object, const char* name) {
  return from_hex_array<N>(std::string(object.at(name).as_string()));
}

sealed_sender_content content_of(const boost::json::object& usmc) {
  sealed_sender_content content;
  content.type =
      static_cast<sealed_content_type>(boost::json::value_to<std::uint32_t>(usmc.at("type")));
  content.sender_certificate = hex_field(usmc, "sender_certificate");
  content.content = hex_field(usmc, "content");
  if (usmc.contains("content_hint")) {
    content.content_hint = boost::json::value_to<std::uint32_t>(usmc.at("content_hint"));
  }
  if (usmc.contains("group_id")) {
    content.group_id = hex_field(usmc, "group_id");
  }
  return content;
}

TEST_CASE("client protocol: sealed sender v1 opens and reproduces every vector",
          "[client][protocol][sealed_sender]") {
  const boost::json::value document = load_vectors();
  const boost::json::array& vectors = document.at("vectors").as_array();
  REQUIRE(vectors.size() >= 4);
  for (const boost::json::value& entry : vectors) {
    const boost::json::object& v = entry.as_object();
    INFO("vector: " << std::string(v.at("name").as_string()));
    const auto recipient_identity = hex_array<33>(v, "recipient_identity");
    const auto recipient_dh_public = hex_array<32>(v, "recipient_dh_public");
    const crypto::x25519_private_key recipient_dh_private(hex_field(v, "recipient_dh_private"));
    const auto sender_identity = hex_array<33>(v, "sender_identity");
    const crypto::x25519_private_key sender_dh_private(hex_field(v, "sender_dh_private"));
    const std::vector<std::uint8_t> usmc_bytes = hex_field(v, "usmc_bytes");
    const std::vector<std::uint8_t> message = hex_field(v, "message");

    // The content codec agrees with the hand-written protobuf bytes both ways.
    const sealed_sender_content content = content_of(v.at("usmc").as_object());
    CHECK(to_hex(encode_sealed_sender_content(content)) == to_hex(usmc_bytes));
    result<sealed_sender_content> decoded = decode_sealed_sender_content(usmc_bytes);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == content);

    // Open.
    result<sealed_sender_v1_opened> opened =
        open_sealed_sender_v1(recipient_identity, recipient_dh_private, message);
    INFO("error: " << (opened ? "none" : describe(opened.error())));
    REQUIRE(opened.has_value());
    CHECK(opened->sender_identity == sender_identity);
    CHECK(to_hex(opened->content.view()) == to_hex(usmc_bytes));

    // Seal with the vector's ephemeral key: the same bytes.
    crypto::x25519_key_pair ephemeral;
    ephemeral.private_key = crypto::x25519_private_key(hex_field(v, "ephemeral_private"));
    ephemeral.public_key = crypto::x25519_public_from_private(ephemeral.private_key);
    CHECK("05" + to_hex(ephemeral.public_key) == std::string(v.at("ephemeral_public").as_string()));
    result<std::vector<std::uint8_t>> sealed = detail::seal_sealed_sender_v1_with_ephemeral(
        recipient_identity, recipient_dh_public, sender_identity, sender_dh_private, usmc_bytes,
        ephemeral);
    REQUIRE(sealed.has_value());
    CHECK(to_hex(*sealed) == to_hex(message));
  }
}

TEST_CASE("client protocol: sealed sender v1 refuses every rejected vector",
          "[client][protocol][sealed_sender]") {
  const boost::json::value document = load_vectors();
  const boost::json::array& rejected = document.at("rejected").as_array();
  REQUIRE(rejected.size() >= 3);
  for (const boost::json::value& entry : rejected) {
    const boost::json::object& v = entry.as_object();
    INFO("vector: " << std::string(v.at("name").as_string()));
    const std::string expected(v.at("expected_error").as_string());
    result<sealed_sender_v1_opened> opened = open_sealed_sender_v1(
        hex_array<33>(v, "recipient_identity"),
        crypto::x25519_private_key(hex_field(v, "recipient_dh_private")), hex_field(v, "message"));
    REQUIRE_FALSE(opened.has_value());
    if (expected == "invalid_identity_key") {
      CHECK(opened.error() == protocol_error::invalid_identity_key);
    } else if (expected == "malformed_message") {
      CHECK(opened.error() == protocol_error::malformed_message);
    } else {
      FAIL("unknown expected_error " << expected);
    }
  }
}

// tests/vectors/sealed_sender_v1_libsignal.json: sealed by libsignal-client 0.103.0 itself
// (tests/vectors/tools/check_sealed_sender_v1_libsignal.mjs), with its own ephemeral keys.
TEST_CASE("client protocol: sealed sender v1 opens what libsignal sealed",
          "[client][protocol][sealed_sender]") {
  const boost::json::value document = load_vectors("sealed_sender_v1_libsignal.json");
  const boost::json::array& vectors = document.at("vectors").as_array();
  REQUIRE(vectors.size() >= 3);
  for (const boost::json::value& entry : vectors) {
    const boost::json::object& v = entry.as_object();
    INFO("vector: " << std::string(v.at("name").as_string()));
    result<sealed_sender_v1_opened> opened = open_sealed_sender_v1(
        hex_array<33>(v, "recipient_identity"),
        crypto::x25519_private_key(hex_field(v, "recipient_dh_private")), hex_field(v, "message"));
    INFO("error: " << (opened ? "none" : describe(opened.error())));
    REQUIRE(opened.has_value());
    CHECK(to_hex(opened->sender_identity) == std::string(v.at("sender_identity").as_string()));
    CHECK(to_hex(opened->content.view()) == std::string(v.at("usmc_bytes").as_string()));
  }
}

}  // namespace
}  // namespace sealpost::client::protocol
