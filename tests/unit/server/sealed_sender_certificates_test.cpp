// Sealed-sender certificates (sealed_sender/certificates.hpp): the bytes libsignal reads,
// the chain of signatures, and the server certificates a node must refuse.
#include <catch2/catch.hpp>
#include <string>

#include "crypto/signature.hpp"
#include "sealed_sender/certificates.hpp"
#include "sealed_sender/signing_keys.hpp"
#include "sealpost/v1/sealed_sender.pb.h"

namespace {

namespace ss = sealpost::sealed_sender;
namespace pb = sealpost::v1::sealed_sender;
using sealpost::crypto::signing_key;

std::string text(std::span<const std::uint8_t> data) {
  return std::string(data.begin(), data.end());
}

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

bool signed_by(const sealpost::crypto::curve25519_public_key& key, const std::string& message,
               const std::string& signature) {
  const auto parsed =
      sealpost::crypto::parse_typed_key(key, sealpost::crypto::key_purpose::identity);
  REQUIRE(parsed);
  return sealpost::crypto::verify_signature(*parsed, bytes_of(message), bytes_of(signature));
}

// A serialized ServerCertificate with `inner` signed by `root`, for malformed cases.
ss::bytes server_certificate_of(const pb::ServerCertificate::Certificate& inner,
                                const signing_key& root) {
  const auto inner_bytes = inner.SerializeAsString();
  const auto signature = root.sign(bytes_of(inner_bytes));
  pb::ServerCertificate outer;
  outer.set_certificate(inner_bytes);
  outer.set_signature(signature.data(), signature.size());
  const auto s = outer.SerializeAsString();
  return ss::bytes(s.begin(), s.end());
}

}  // namespace

TEST_CASE("sealed sender: key ids libsignal reserves are refused", "[sealed_sender]") {
  CHECK_FALSE(ss::is_allowed_key_id(0));
  CHECK(ss::is_allowed_key_id(1));
  CHECK(ss::is_allowed_key_id(0xFFFFFFFF));
  CHECK_FALSE(ss::is_allowed_key_id(0x100000000ULL));
  CHECK_FALSE(ss::is_allowed_key_id(0xDEADC357));
  CHECK_FALSE(ss::is_allowed_key_id(0x7357C357));
  const auto root = signing_key::generate();
  CHECK_THROWS_AS(ss::make_server_certificate(root, 0xDEADC357, root.public_key()),
                  std::invalid_argument);
}

TEST_CASE("sealed sender: a server certificate is the key and its id, signed by the root",
          "[sealed_sender]") {
  const auto root = signing_key::generate();
  const auto server = signing_key::generate();
  const auto certificate = ss::make_server_certificate(root, 7, server.public_key());

  pb::ServerCertificate outer;
  REQUIRE(outer.ParseFromString(text(certificate)));
  pb::ServerCertificate::Certificate inner;
  REQUIRE(inner.ParseFromString(outer.certificate()));
  CHECK(inner.id() == 7);
  CHECK(inner.key() == text(server.public_key()));
  CHECK(signed_by(root.public_key(), outer.certificate(), outer.signature()));
  // Field 1 (varint 7) then field 2 (33 bytes), in that order: what libsignal parses.
  const std::string& raw = outer.certificate();
  REQUIRE(raw.size() == 2 + 2 + 33);
  CHECK(raw.substr(0, 4) == std::string("\x08\x07\x12\x21", 4));

  const auto checked = ss::check_server_certificate(certificate, root.public_key());
  CHECK(checked.key_id == 7);
  CHECK(checked.key == server.public_key());
}

TEST_CASE("sealed sender: server certificates a node refuses", "[sealed_sender]") {
  const auto root = signing_key::generate();
  const auto server = signing_key::generate();
  const auto good = ss::make_server_certificate(root, 9, server.public_key());

  SECTION("another trust root") {
    const auto other = signing_key::generate();
    CHECK_THROWS_AS(ss::check_server_certificate(good, other.public_key()), ss::certificate_error);
  }
  SECTION("a changed byte anywhere") {
    for (std::size_t i = 0; i < good.size(); ++i) {
      auto bad = good;
      bad[i] ^= 0x01;
      INFO("byte " << i);
      CHECK_THROWS_AS(ss::check_server_certificate(bad, root.public_key()), ss::certificate_error);
    }
  }
  SECTION("truncated, empty, or not protobuf") {
    CHECK_THROWS_AS(ss::check_server_certificate({}, root.public_key()), ss::certificate_error);
    const ss::bytes cut(good.begin(), good.end() - 1);
    CHECK_THROWS_AS(ss::check_server_certificate(cut, root.public_key()), ss::certificate_error);
    const ss::bytes junk{0xff, 0xff, 0xff};
    CHECK_THROWS_AS(ss::check_server_certificate(junk, root.public_key()), ss::certificate_error);
  }
  SECTION("a missing field, a reserved key id, a key that is not 0x05, all signed") {
    pb::ServerCertificate::Certificate no_id;
    no_id.set_key(text(server.public_key()));
    CHECK_THROWS_AS(
        ss::check_server_certificate(server_certificate_of(no_id, root), root.public_key()),
        ss::certificate_error);
    pb::ServerCertificate::Certificate revoked;
    revoked.set_id(0xDEADC357);
    revoked.set_key(text(server.public_key()));
    CHECK_THROWS_AS(
        ss::check_server_certificate(server_certificate_of(revoked, root), root.public_key()),
        ss::certificate_error);
    pb::ServerCertificate::Certificate ed25519_key;
    ed25519_key.set_id(3);
    auto key = text(server.public_key());
    key[0] = 0x0E;
    ed25519_key.set_key(key);
    CHECK_THROWS_AS(
        ss::check_server_certificate(server_certificate_of(ed25519_key, root), root.public_key()),
        ss::certificate_error);
  }
}

TEST_CASE("sealed sender: a sender certificate names the device and embeds the signer",
          "[sealed_sender]") {
  const auto keys = ss::generate_deployment_keys(1);
  const std::string identity = "\x05" + std::string(32, '\x11');
  const std::string account = "0b7e1f52-4a3c-4d2e-9f10-7a6b5c4d3e2f";
  const auto certificate =
      ss::issue_sender_certificate({account, 5, bytes_of(identity)}, 1'800'000'000'123ULL,
                                   keys.server_certificate, keys.server_key);

  pb::SenderCertificate outer;
  REQUIRE(outer.ParseFromString(text(certificate)));
  pb::SenderCertificate::Certificate inner;
  REQUIRE(inner.ParseFromString(outer.certificate()));
  CHECK(inner.sender_device() == 5);
  CHECK(inner.expires() == 1'800'000'000'123ULL);
  CHECK(inner.identity_key() == identity);
  CHECK(inner.signer() == text(keys.server_certificate));
  CHECK(inner.sender_uuid() == account);
  // Field 2 comes first: no phone number (field 1) is written.
  CHECK(outer.certificate().front() == '\x10');
  CHECK(signed_by(keys.server_key.public_key(), outer.certificate(), outer.signature()));
  // The chain a receiver walks: the embedded server certificate verifies under the root.
  const auto server =
      ss::check_server_certificate(bytes_of(inner.signer()), keys.trust_root.public_key());
  CHECK(server.key == keys.server_key.public_key());
  // expires is fixed64 (tag 0x19): 8 bytes little-endian, as libsignal reads it.
  CHECK(outer.certificate().find(std::string("\x19\x7b\x50\x5c\x18\xa3\x01\x00\x00", 9)) !=
        std::string::npos);
}

TEST_CASE("sealed sender: the keys of a deployment must fit together", "[sealed_sender]") {
  const auto keys = ss::generate_deployment_keys(4);
  const auto root = keys.trust_root.public_key();
  const auto assembled = ss::assemble(root, keys.server_certificate,
                                      signing_key::from_pem(keys.server_key.private_pem()));
  CHECK(assembled.key_id == 4);
  CHECK(assembled.trust_root == root);

  CHECK_THROWS_WITH(ss::assemble(root, keys.server_certificate, signing_key::generate()),
                    Catch::Contains("server private key"));
  const auto other = signing_key::generate();
  CHECK_THROWS_WITH(ss::assemble(other.public_key(), keys.server_certificate,
                                 signing_key::from_pem(keys.server_key.private_pem())),
                    Catch::Contains("trust root"));
  const ss::bytes short_root(root.begin(), root.end() - 1);
  CHECK_THROWS_WITH(ss::assemble(short_root, keys.server_certificate,
                                 signing_key::from_pem(keys.server_key.private_pem())),
                    Catch::Contains("trust root"));
}
