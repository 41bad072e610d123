// Tree heads against every case of tests/vectors/keytrans/tree-head-p256.json (each encoding
// byte for byte, their signatures verified, ours made and verified over their TBS), and our
// own must-reject signatures and keys (the vectors have none).
#include "keytrans/tree_head.hpp"

#include <openssl/err.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "keytrans_vector_file.hpp"

namespace sealpost::keytrans {
namespace {

using test::hex_array;
using test::hex_bytes;
using test::hex_field;

std::uint64_t u64_field(const boost::json::object& object, const char* name) {
  return boost::json::value_to<std::uint64_t>(object.at(name));
}

configuration configuration_of(const boost::json::object& input) {
  configuration config;
  config.mode = static_cast<deployment_mode>(boost::json::value_to<int>(input.at("mode")));
  config.signature_public_key = hex_field(input, "signature_public_key");
  config.vrf_public_key = hex_field(input, "vrf_public_key");
  if (config.mode == deployment_mode::third_party_management) {
    config.leaf_public_key = hex_field(input, "leaf_public_key");
  }
  if (config.mode == deployment_mode::third_party_auditing) {
    config.max_auditor_lag = u64_field(input, "max_auditor_lag");
    config.auditor_start_pos = u64_field(input, "auditor_start_pos");
    config.auditor_public_key = hex_field(input, "auditor_public_key");
  }
  config.max_ahead = u64_field(input, "max_ahead");
  config.max_behind = u64_field(input, "max_behind");
  config.reasonable_monitoring_window = u64_field(input, "reasonable_monitoring_window");
  return config;
}

struct head_case {
  std::string name;
  configuration config;
  bytes tbs;
  bytes signature;
};

std::vector<head_case> load_cases() {
  std::vector<head_case> cases;
  for (const boost::json::value& entry : test::load_keytrans_cases("tree-head-p256.json")) {
    const boost::json::object& input = entry.at("input").as_object();
    const boost::json::object& expect = entry.at("expect").as_object();
    cases.push_back({std::string(entry.at("name").as_string()), configuration_of(input),
                     hex_field(expect, "tree_head_tbs"), hex_field(expect, "signature")});
  }
  return cases;
}

// Under thirdPartyAuditing: checks the auditor encodings and signature and gives the head.
void check_auditor_head(const boost::json::object& input, const boost::json::object& expect,
                        const bytes& encoded_config, const tree_root& root,
                        std::optional<auditor_tree_head>& auditor_head) {
  if (!expect.contains("auditor_tree_head")) {
    return;
  }
  const std::uint64_t timestamp = u64_field(input, "auditor_timestamp");
  const std::uint64_t tree_size = u64_field(input, "tree_size");
  const bytes auditor_tbs =
      encode_auditor_tree_head_tbs(encoded_config, timestamp, tree_size, root);
  CHECK(auditor_tbs == hex_field(expect, "auditor_tree_head_tbs"));
  // The auditor's signature is the last 64 bytes of its head (after timestamp, size, length).
  const bytes wire = hex_field(expect, "auditor_tree_head");
  REQUIRE(wire.size() == 8 + 8 + 2 + p256_signature_size);
  auditor_head = auditor_tree_head{timestamp, tree_size, bytes(wire.end() - 64, wire.end())};
  CHECK(encode_auditor_tree_head(*auditor_head) == wire);
  CHECK(p256_verify(hex_field(input, "auditor_public_key"), auditor_tbs, auditor_head->signature));
}

TEST_CASE("keytrans: tree heads reproduce every vector's encodings and signatures", "[keytrans]") {
  int count = 0;
  for (const boost::json::value& entry : test::load_keytrans_cases("tree-head-p256.json")) {
    const boost::json::object& input = entry.at("input").as_object();
    const boost::json::object& expect = entry.at("expect").as_object();
    INFO(std::string(entry.at("name").as_string()));
    const configuration config = configuration_of(input);
    const std::optional<bytes> encoded_config = encode_configuration(config);
    REQUIRE(encoded_config);
    CHECK(*encoded_config == hex_field(expect, "configuration"));
    // Decoding gives back what was encoded; every truncation and one byte more are refused.
    const std::optional<configuration> decoded = decode_configuration(*encoded_config);
    REQUIRE(decoded);
    CHECK(encode_configuration(*decoded) == encoded_config);
    for (std::size_t cut = 0; cut < encoded_config->size(); ++cut) {
      CHECK_FALSE(decode_configuration(std::span(*encoded_config).first(cut)));
    }
    bytes longer = *encoded_config;
    longer.push_back(0);
    CHECK_FALSE(decode_configuration(longer));
    bytes unknown_mode = *encoded_config;
    unknown_mode[2] = 9;  // after the uint16 cipher suite
    CHECK_FALSE(decode_configuration(unknown_mode));

    const std::uint64_t tree_size = u64_field(input, "tree_size");
    const tree_root root = hex_array<tree_root>(input, "root");
    const bytes tbs = encode_tree_head_tbs(*encoded_config, tree_size, root);
    CHECK(tbs == hex_field(expect, "tree_head_tbs"));

    const tree_head head{tree_size, hex_field(expect, "signature")};
    CHECK(p256_verify(config.signature_public_key, tbs, head.signature));
    CHECK(encode_tree_head(head) == hex_field(expect, "tree_head"));

    std::optional<auditor_tree_head> auditor_head;
    check_auditor_head(input, expect, *encoded_config, root, auditor_head);
    CHECK(auditor_head.has_value() == (config.mode == deployment_mode::third_party_auditing));

    const full_tree_head same{full_tree_head_type::same, std::nullopt, std::nullopt};
    const full_tree_head updated{full_tree_head_type::updated, head, auditor_head};
    const bytes same_wire = hex_field(expect, "full_tree_head_same");
    const bytes updated_wire = hex_field(expect, "full_tree_head_updated");
    CHECK(encode_full_tree_head(same, config.mode) == same_wire);
    CHECK(encode_full_tree_head(updated, config.mode) == updated_wire);
    CHECK(decode_full_tree_head(same_wire, config.mode) == same);
    CHECK(decode_full_tree_head(updated_wire, config.mode) == updated);
    ++count;
  }
  CHECK(count == 9);
}

TEST_CASE("keytrans: our P-256 signatures over the vectors' TBS verify", "[keytrans]") {
  const ossl::pkey_ptr key = generate_p256_signing_key();
  const p256_public_key public_key = p256_public_key_of(*key);
  CHECK(public_key[0] == 0x04);
  for (const head_case& c : load_cases()) {
    INFO(c.name);
    const p256_signature signature = p256_sign(*key, c.tbs);
    CHECK(p256_verify(public_key, c.tbs, signature));
    // Not under the vectors' key, and theirs not under ours.
    CHECK_FALSE(p256_verify(c.config.signature_public_key, c.tbs, signature));
    CHECK_FALSE(p256_verify(public_key, c.tbs, c.signature));
  }
}

TEST_CASE("keytrans: P-256 verification refuses every flipped signature and TBS byte",
          "[keytrans]") {
  for (const head_case& c : load_cases()) {
    INFO(c.name);
    REQUIRE(p256_verify(c.config.signature_public_key, c.tbs, c.signature));
    for (std::size_t i = 0; i < c.signature.size(); ++i) {
      bytes flipped = c.signature;
      flipped[i] ^= 0x01;
      INFO("signature byte " << i);
      CHECK_FALSE(p256_verify(c.config.signature_public_key, c.tbs, flipped));
    }
    for (std::size_t i = 0; i < c.tbs.size(); ++i) {
      bytes flipped = c.tbs;
      flipped[i] ^= 0x01;
      INFO("TBS byte " << i);
      CHECK_FALSE(p256_verify(c.config.signature_public_key, flipped, c.signature));
    }
  }
}

TEST_CASE("keytrans: P-256 verification refuses out-of-range r and s and bad lengths",
          "[keytrans]") {
  const head_case c = load_cases().front();
  const bytes& key = c.config.signature_public_key;
  const bytes order = hex_bytes("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  const bytes zero(32, 0x00);
  const bytes r(c.signature.begin(), c.signature.begin() + 32);
  const bytes s(c.signature.begin() + 32, c.signature.end());
  const auto joined = [](const bytes& a, const bytes& b) {
    bytes out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
  };
  REQUIRE(p256_verify(key, c.tbs, joined(r, s)));
  CHECK_FALSE(p256_verify(key, c.tbs, joined(zero, s)));
  CHECK_FALSE(p256_verify(key, c.tbs, joined(r, zero)));
  CHECK_FALSE(p256_verify(key, c.tbs, joined(order, s)));
  CHECK_FALSE(p256_verify(key, c.tbs, joined(r, order)));
  CHECK_FALSE(p256_verify(key, c.tbs, joined(bytes(32, 0xFF), s)));
  CHECK_FALSE(p256_verify(key, c.tbs, joined(r, bytes(32, 0xFF))));
  // Only exactly 64 bytes of r || s are taken: shorter, longer, or the DER form OpenSSL uses.
  CHECK_FALSE(p256_verify(key, c.tbs, bytes(c.signature.begin(), c.signature.end() - 1)));
  bytes longer = c.signature;
  longer.push_back(0x00);
  CHECK_FALSE(p256_verify(key, c.tbs, longer));
  CHECK_FALSE(p256_verify(key, c.tbs, bytes{}));
  bytes der_like = joined(bytes{0x30, 0x44, 0x02, 0x20}, r);
  der_like.insert(der_like.end(), {0x02, 0x20});
  der_like.insert(der_like.end(), s.begin(), s.end());
  CHECK_FALSE(p256_verify(key, c.tbs, der_like));
}

TEST_CASE("keytrans: P-256 verification refuses keys off the curve or in another form",
          "[keytrans]") {
  const head_case c = load_cases().front();
  const bytes& key = c.config.signature_public_key;
  REQUIRE(p256_verify(key, c.tbs, c.signature));
  bytes off_curve = key;
  off_curve.back() ^= 0x01;  // same x, wrong y: not on the curve
  CHECK_FALSE(p256_verify(off_curve, c.tbs, c.signature));
  CHECK(ERR_peek_error() == 0);  // a refused key leaves no stale error for the next caller
  bytes x_off_curve = key;
  x_off_curve[1] ^= 0x01;
  CHECK_FALSE(p256_verify(x_off_curve, c.tbs, c.signature));
  bytes wrong_prefix = key;
  wrong_prefix[0] = 0x05;
  CHECK_FALSE(p256_verify(wrong_prefix, c.tbs, c.signature));
  // The compressed form of the same point (x with y's parity) is not the suite's form.
  bytes compressed(key.begin(), key.begin() + 33);
  compressed[0] = static_cast<std::uint8_t>(0x02 | (key.back() & 0x01));
  CHECK_FALSE(p256_verify(compressed, c.tbs, c.signature));
  CHECK_FALSE(p256_verify(bytes(key.begin(), key.end() - 1), c.tbs, c.signature));
  CHECK_FALSE(p256_verify(bytes(65, 0x00), c.tbs, c.signature));
  CHECK_FALSE(p256_verify(bytes{}, c.tbs, c.signature));
  // The VRF key of the same vector is a different (compressed) key.
  CHECK_FALSE(p256_verify(c.config.vrf_public_key, c.tbs, c.signature));
}

TEST_CASE("keytrans: P-256 signing refuses keys of other curves", "[keytrans]") {
  const ossl::pkey_ptr k1(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp256k1"));
  REQUIRE(k1);
  const bytes message{0x01, 0x02};
  CHECK_THROWS_AS(p256_sign(*k1, message), std::invalid_argument);
  CHECK_THROWS_AS(p256_public_key_of(*k1), std::invalid_argument);
  const ossl::pkey_ptr ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  REQUIRE(ed);
  CHECK_THROWS_AS(p256_sign(*ed, message), std::invalid_argument);
}

TEST_CASE("keytrans: tree-head encodings refuse what has no encoding", "[keytrans]") {
  configuration config = load_cases().front().config;
  config.mode = static_cast<deployment_mode>(0);
  CHECK_FALSE(encode_configuration(config));
  config.mode = static_cast<deployment_mode>(4);
  CHECK_FALSE(encode_configuration(config));
  config.mode = deployment_mode::contact_monitoring;
  config.signature_public_key = bytes(65536, 0x04);
  CHECK_FALSE(encode_configuration(config));
  config.signature_public_key = bytes(65, 0x04);
  config.maximum_lifetime = 0x0102;
  const std::optional<bytes> with_lifetime = encode_configuration(config);
  REQUIRE(with_lifetime);
  CHECK(bytes(with_lifetime->end() - 9, with_lifetime->end()) == hex_bytes("010000000000000102"));

  CHECK_FALSE(encode_tree_head(tree_head{1, bytes(65536, 0x00)}));
  const full_tree_head missing_head{full_tree_head_type::updated, std::nullopt, std::nullopt};
  CHECK_FALSE(encode_full_tree_head(missing_head, deployment_mode::contact_monitoring));
  const full_tree_head no_auditor{full_tree_head_type::updated, tree_head{1, bytes(64, 0x01)},
                                  std::nullopt};
  CHECK(encode_full_tree_head(no_auditor, deployment_mode::contact_monitoring));
  CHECK_FALSE(encode_full_tree_head(no_auditor, deployment_mode::third_party_auditing));

  const bytes updated = *encode_full_tree_head(no_auditor, deployment_mode::contact_monitoring);
  CHECK(decode_full_tree_head(updated, deployment_mode::contact_monitoring) == no_auditor);
  CHECK_FALSE(decode_full_tree_head(updated, deployment_mode::third_party_auditing));
  CHECK_FALSE(decode_full_tree_head(bytes(updated.begin(), updated.end() - 1),
                                    deployment_mode::contact_monitoring));
  bytes trailing = updated;
  trailing.push_back(0x00);
  CHECK_FALSE(decode_full_tree_head(trailing, deployment_mode::contact_monitoring));
  CHECK_FALSE(decode_full_tree_head(bytes{0x00}, deployment_mode::contact_monitoring));
  CHECK_FALSE(decode_full_tree_head(bytes{0x03}, deployment_mode::contact_monitoring));
  CHECK_FALSE(decode_full_tree_head(bytes{}, deployment_mode::contact_monitoring));
  CHECK_FALSE(decode_full_tree_head(bytes{0x01, 0x00}, deployment_mode::contact_monitoring));
}

}  // namespace
}  // namespace sealpost::keytrans
