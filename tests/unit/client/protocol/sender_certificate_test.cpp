// Sender-certificate validation (protocol/sender_certificate.hpp) against certificates made
// by the server's own code (server/sealed_sender/certificates.cpp, signing with
// server/crypto/signing_key.cpp): an independent signer. Every link of the chain broken,
// every reserved key id, every required field missing, every field out of range, the
// expiry boundary, the size bound, and any modified byte never accepted.
#include "protocol/sender_certificate.hpp"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/identity_key.hpp"
#include "crypto/signing_key.hpp"
#include "sealed_sender/certificates.hpp"
#include "sealpost/v1/sealed_sender.pb.h"

namespace sealpost::client::protocol {
namespace {

namespace ss = ::sealpost::sealed_sender;
namespace pb = ::sealpost::v1::sealed_sender;
using server_signing_key = ::sealpost::crypto::signing_key;
using bytes = std::vector<std::uint8_t>;

constexpr std::string_view account = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
constexpr std::uint32_t device = 3;
constexpr std::uint32_t key_id = 7;
constexpr std::uint64_t expires = 1'800'000'000'000;  // ms; far from every edge
constexpr std::uint64_t before_expiry = expires - 60'000;

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string text(std::span<const std::uint8_t> data) {
  return {data.begin(), data.end()};
}

bytes to_bytes(const std::string& s) {
  return {s.begin(), s.end()};
}

crypto::typed_public_key typed(const ::sealpost::crypto::curve25519_public_key& key) {
  crypto::typed_public_key out{};
  std::copy(key.begin(), key.end(), out.begin());
  return out;
}

// A trust root, a server key certified by it under key_id, and a sender identity (0x05).
struct chain {
  server_signing_key root = server_signing_key::generate();
  server_signing_key server = server_signing_key::generate();
  bytes server_certificate = ss::make_server_certificate(root, key_id, server.public_key());
  crypto::typed_public_key identity = crypto::generate_identity().public_key;

  [[nodiscard]] crypto::typed_public_key trust_root() const { return typed(root.public_key()); }

  // The certificate the server hands out: issue_sender_certificate, unchanged.
  [[nodiscard]] bytes issue(std::string_view account_id = account, std::uint32_t device_id = device,
                            std::span<const std::uint8_t> identity_key = {}) const {
    const ss::sender_identity sender{account_id, device_id,
                                     identity_key.empty() ? identity : identity_key};
    return ss::issue_sender_certificate(sender, expires, server_certificate, server);
  }

  // The inner Certificate issue() would sign, for cases that change it before signing.
  [[nodiscard]] pb::SenderCertificate::Certificate inner() const {
    pb::SenderCertificate::Certificate certificate;
    certificate.set_sender_device(device);
    certificate.set_expires(expires);
    certificate.set_identity_key(text(identity));
    certificate.set_signer(text(server_certificate));
    certificate.set_sender_uuid(std::string(account));
    return certificate;
  }
};

// A SenderCertificate of exactly `inner_bytes`, signed by `signer` over them.
bytes sign_sender_certificate(const std::string& inner_bytes, const server_signing_key& signer) {
  const auto signature = signer.sign(bytes_of(inner_bytes));
  pb::SenderCertificate outer;
  outer.set_certificate(inner_bytes);
  outer.set_signature(signature.data(), signature.size());
  return to_bytes(outer.SerializeAsString());
}

bytes sign_sender_certificate(const pb::SenderCertificate::Certificate& inner,
                              const server_signing_key& signer) {
  return sign_sender_certificate(inner.SerializeAsString(), signer);
}

// A ServerCertificate of `inner`, signed by `root`: for ids make_server_certificate refuses.
std::string sign_server_certificate(const pb::ServerCertificate::Certificate& inner,
                                    const server_signing_key& root) {
  const std::string inner_bytes = inner.SerializeAsString();
  const auto signature = root.sign(bytes_of(inner_bytes));
  pb::ServerCertificate outer;
  outer.set_certificate(inner_bytes);
  outer.set_signature(signature.data(), signature.size());
  return outer.SerializeAsString();
}

// A sender certificate whose embedded server certificate is `signer_bytes`, validly signed
// by the chain's server key: only the server certificate can be at fault.
bytes with_signer(const chain& c, const std::string& signer_bytes) {
  pb::SenderCertificate::Certificate inner = c.inner();
  inner.set_signer(signer_bytes);
  return sign_sender_certificate(inner, c.server);
}

protocol_error error_of(const result<sender_certificate_claims>& r) {
  INFO("expected an error, got a valid certificate");
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

protocol_error validate_error(std::span<const std::uint8_t> certificate,
                              const crypto::typed_public_key& root, std::uint64_t at_ms) {
  return error_of(validate_sender_certificate(certificate, root, at_ms));
}

TEST_CASE("client protocol: a sender certificate the server issued is valid",
          "[client][protocol][sender_certificate]") {
  const chain c;
  const bytes certificate = c.issue();
  const result<sender_certificate_claims> claims =
      validate_sender_certificate(certificate, c.trust_root(), before_expiry);
  INFO("error: " << (claims ? "none" : describe(claims.error())));
  REQUIRE(claims.has_value());
  CHECK(claims->sender_account == account);
  CHECK(claims->sender_device == device);
  CHECK(claims->identity_key == c.identity);
  CHECK(claims->expires_ms == expires);
  CHECK(claims->server_key_id == key_id);

  // Devices 1 and 127 are the edges of libsignal's DeviceId.
  CHECK(validate_sender_certificate(c.issue(account, 1), c.trust_root(), before_expiry));
  CHECK(validate_sender_certificate(c.issue(account, 127), c.trust_root(), before_expiry));
  // The largest key id there is.
  chain big_id;
  big_id.server_certificate =
      ss::make_server_certificate(big_id.root, 0xFFFFFFFF, big_id.server.public_key());
  const auto big = validate_sender_certificate(big_id.issue(), big_id.trust_root(), 0);
  REQUIRE(big.has_value());
  CHECK(big->server_key_id == 0xFFFFFFFF);
}

TEST_CASE("client protocol: a sender certificate is valid up to and including its expiry",
          "[client][protocol][sender_certificate]") {
  const chain c;
  const bytes certificate = c.issue();
  CHECK(validate_sender_certificate(certificate, c.trust_root(), 0));
  CHECK(validate_sender_certificate(certificate, c.trust_root(), expires));
  CHECK(validate_error(certificate, c.trust_root(), expires + 1) ==
        protocol_error::expired_certificate);
  CHECK(validate_error(certificate, c.trust_root(), std::numeric_limits<std::uint64_t>::max()) ==
        protocol_error::expired_certificate);

  pb::SenderCertificate::Certificate forever = c.inner();
  forever.set_expires(std::numeric_limits<std::uint64_t>::max());
  CHECK(validate_sender_certificate(sign_sender_certificate(forever, c.server), c.trust_root(),
                                    std::numeric_limits<std::uint64_t>::max()));
}

TEST_CASE("client protocol: a broken signature anywhere in the chain is untrusted",
          "[client][protocol][sender_certificate]") {
  const chain c;
  const crypto::typed_public_key root = c.trust_root();
  pb::ServerCertificate server_outer;
  REQUIRE(server_outer.ParseFromString(text(c.server_certificate)));

  SECTION("a byte of the server certificate's signed bytes (its key)") {
    std::string inner = server_outer.certificate();
    inner.back() = static_cast<char>(inner.back() ^ 0x01);
    pb::ServerCertificate changed = server_outer;
    changed.set_certificate(inner);
    CHECK(validate_error(with_signer(c, changed.SerializeAsString()), root, before_expiry) ==
          protocol_error::untrusted_certificate);
  }
  SECTION("the server certificate's key id") {
    pb::ServerCertificate::Certificate inner;
    REQUIRE(inner.ParseFromString(server_outer.certificate()));
    inner.set_id(key_id + 1);
    pb::ServerCertificate changed = server_outer;
    changed.set_certificate(inner.SerializeAsString());
    CHECK(validate_error(with_signer(c, changed.SerializeAsString()), root, before_expiry) ==
          protocol_error::untrusted_certificate);
  }
  SECTION("each byte of the server certificate's signature, and its length") {
    for (std::size_t i = 0; i < server_outer.signature().size(); ++i) {
      std::string signature = server_outer.signature();
      signature[i] = static_cast<char>(signature[i] ^ (i == 63 ? 0x80 : 0x01));
      pb::ServerCertificate changed = server_outer;
      changed.set_signature(signature);
      INFO("byte " << i);
      CHECK(validate_error(with_signer(c, changed.SerializeAsString()), root, before_expiry) ==
            protocol_error::untrusted_certificate);
    }
    pb::ServerCertificate shorter = server_outer;
    shorter.set_signature(server_outer.signature().substr(0, 63));
    CHECK(validate_error(with_signer(c, shorter.SerializeAsString()), root, before_expiry) ==
          protocol_error::untrusted_certificate);
    pb::ServerCertificate empty = server_outer;
    empty.set_signature("");
    CHECK(validate_error(with_signer(c, empty.SerializeAsString()), root, before_expiry) ==
          protocol_error::untrusted_certificate);
  }
  SECTION("a byte of the sender certificate's signed bytes") {
    pb::SenderCertificate outer;
    REQUIRE(outer.ParseFromString(text(c.issue())));
    std::string inner = outer.certificate();
    inner.back() = static_cast<char>(inner.back() ^ 0x01);  // the last uuid character
    outer.set_certificate(inner);
    CHECK(validate_error(to_bytes(outer.SerializeAsString()), root, before_expiry) ==
          protocol_error::untrusted_certificate);
  }
  SECTION("each byte of the sender certificate's signature, and its length") {
    pb::SenderCertificate outer;
    REQUIRE(outer.ParseFromString(text(c.issue())));
    for (std::size_t i = 0; i < outer.signature().size(); ++i) {
      pb::SenderCertificate changed = outer;
      std::string signature = outer.signature();
      signature[i] = static_cast<char>(signature[i] ^ (i == 63 ? 0x80 : 0x01));
      changed.set_signature(signature);
      INFO("byte " << i);
      CHECK(validate_error(to_bytes(changed.SerializeAsString()), root, before_expiry) ==
            protocol_error::untrusted_certificate);
    }
    pb::SenderCertificate longer = outer;
    longer.set_signature(outer.signature() + std::string(1, '\0'));
    CHECK(validate_error(to_bytes(longer.SerializeAsString()), root, before_expiry) ==
          protocol_error::untrusted_certificate);
  }
  SECTION("the sender certificate signed by the trust root instead of the server key") {
    CHECK(validate_error(sign_sender_certificate(c.inner(), c.root), root, before_expiry) ==
          protocol_error::untrusted_certificate);
  }
  SECTION("the sender certificate signed by another server key") {
    const server_signing_key other = server_signing_key::generate();
    CHECK(validate_error(sign_sender_certificate(c.inner(), other), root, before_expiry) ==
          protocol_error::untrusted_certificate);
  }
  SECTION("a forged certificate that has also expired is untrusted, not expired") {
    const server_signing_key other = server_signing_key::generate();
    CHECK(validate_error(sign_sender_certificate(c.inner(), other), root, expires + 1) ==
          protocol_error::untrusted_certificate);
  }
}

TEST_CASE("client protocol: any modified byte of a certificate is never accepted",
          "[client][protocol][sender_certificate]") {
  const chain c;
  const bytes certificate = c.issue();
  for (std::size_t i = 0; i < certificate.size(); ++i) {
    for (const std::uint8_t flip : {std::uint8_t{0x01}, std::uint8_t{0x80}}) {
      bytes changed = certificate;
      changed[i] ^= flip;
      const result<sender_certificate_claims> r =
          validate_sender_certificate(changed, c.trust_root(), before_expiry);
      INFO("byte " << i << " ^ " << int{flip});
      REQUIRE_FALSE(r.has_value());
      CHECK((r.error() == protocol_error::untrusted_certificate ||
             r.error() == protocol_error::malformed_certificate));
    }
  }
}

TEST_CASE("client protocol: a sender certificate under another trust root is untrusted",
          "[client][protocol][sender_certificate]") {
  const chain c;
  const chain other;
  CHECK(validate_error(c.issue(), other.trust_root(), before_expiry) ==
        protocol_error::untrusted_certificate);
  // The right key bytes under another type byte verify nothing.
  crypto::typed_public_key ed25519_typed = c.trust_root();
  ed25519_typed[0] = crypto::ed25519_key_type;
  CHECK(validate_error(c.issue(), ed25519_typed, before_expiry) ==
        protocol_error::untrusted_certificate);
  CHECK(validate_error(c.issue(), crypto::typed_public_key{}, before_expiry) ==
        protocol_error::untrusted_certificate);
  // The server key is not a trust root.
  CHECK(validate_error(c.issue(), typed(c.server.public_key()), before_expiry) ==
        protocol_error::untrusted_certificate);
}

TEST_CASE("client protocol: revoked and reserved server key ids are untrusted",
          "[client][protocol][sender_certificate]") {
  const chain c;
  for (const std::uint32_t id : {0xDEADC357U, 0x7357C357U, 0U}) {
    pb::ServerCertificate::Certificate inner;
    inner.set_id(id);
    inner.set_key(text(c.server.public_key()));
    const bytes certificate = with_signer(c, sign_server_certificate(inner, c.root));
    INFO("key id " << id);
    CHECK(validate_error(certificate, c.trust_root(), before_expiry) ==
          protocol_error::untrusted_certificate);
    CHECK(validate_error(certificate, c.trust_root(), expires + 1) ==
          protocol_error::untrusted_certificate);
  }
}

TEST_CASE("client protocol: a sender certificate missing a field is malformed",
          "[client][protocol][sender_certificate]") {
  const chain c;
  const crypto::typed_public_key root = c.trust_root();
  using inner_t = pb::SenderCertificate::Certificate;
  const std::vector<std::pair<const char*, std::function<void(inner_t&)>>> removals = {
      {"sender_device", [](inner_t& i) { i.clear_sender_device(); }},
      {"expires", [](inner_t& i) { i.clear_expires(); }},
      {"identity_key", [](inner_t& i) { i.clear_identity_key(); }},
      {"signer", [](inner_t& i) { i.clear_signer(); }},
      {"sender_uuid", [](inner_t& i) { i.clear_sender_uuid(); }},
  };
  for (const auto& [name, remove] : removals) {
    inner_t inner = c.inner();
    remove(inner);
    INFO("without " << name);
    CHECK(validate_error(sign_sender_certificate(inner, c.server), root, before_expiry) ==
          protocol_error::malformed_certificate);
  }

  pb::SenderCertificate outer;
  REQUIRE(outer.ParseFromString(text(c.issue())));
  pb::SenderCertificate no_signature = outer;
  no_signature.clear_signature();
  CHECK(validate_error(to_bytes(no_signature.SerializeAsString()), root, before_expiry) ==
        protocol_error::malformed_certificate);
  pb::SenderCertificate no_certificate = outer;
  no_certificate.clear_certificate();
  CHECK(validate_error(to_bytes(no_certificate.SerializeAsString()), root, before_expiry) ==
        protocol_error::malformed_certificate);

  // The embedded server certificate: each of its fields, inner and outer.
  pb::ServerCertificate server_outer;
  REQUIRE(server_outer.ParseFromString(text(c.server_certificate)));
  pb::ServerCertificate server_no_signature = server_outer;
  server_no_signature.clear_signature();
  CHECK(validate_error(with_signer(c, server_no_signature.SerializeAsString()), root,
                       before_expiry) == protocol_error::malformed_certificate);
  pb::ServerCertificate server_no_certificate = server_outer;
  server_no_certificate.clear_certificate();
  CHECK(validate_error(with_signer(c, server_no_certificate.SerializeAsString()), root,
                       before_expiry) == protocol_error::malformed_certificate);
  pb::ServerCertificate::Certificate no_id;
  no_id.set_key(text(c.server.public_key()));
  CHECK(validate_error(with_signer(c, sign_server_certificate(no_id, c.root)), root,
                       before_expiry) == protocol_error::malformed_certificate);
  pb::ServerCertificate::Certificate no_key;
  no_key.set_id(key_id);
  CHECK(validate_error(with_signer(c, sign_server_certificate(no_key, c.root)), root,
                       before_expiry) == protocol_error::malformed_certificate);
  // A server key that is not 0x05 || 32 bytes.
  pb::ServerCertificate::Certificate ed25519_key;
  ed25519_key.set_id(key_id);
  std::string key = text(c.server.public_key());
  key[0] = static_cast<char>(crypto::ed25519_key_type);
  ed25519_key.set_key(key);
  CHECK(validate_error(with_signer(c, sign_server_certificate(ed25519_key, c.root)), root,
                       before_expiry) == protocol_error::malformed_certificate);
  ed25519_key.set_key(text(c.server.public_key()).substr(0, 32));
  CHECK(validate_error(with_signer(c, sign_server_certificate(ed25519_key, c.root)), root,
                       before_expiry) == protocol_error::malformed_certificate);
  // A signer that is not a ServerCertificate at all.
  CHECK(validate_error(with_signer(c, "\xff\xff\xff"), root, before_expiry) ==
        protocol_error::malformed_certificate);
}

TEST_CASE("client protocol: signed fields out of range are malformed",
          "[client][protocol][sender_certificate]") {
  const chain c;
  const crypto::typed_public_key root = c.trust_root();
  std::string upper(account);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](char ch) { return ch >= 'a' && ch <= 'f' ? static_cast<char>(ch - 32) : ch; });
  CHECK(validate_error(c.issue(upper), root, before_expiry) ==
        protocol_error::malformed_certificate);
  CHECK(validate_error(c.issue("0f1e2d3c4b5a49788695a4b3c2d1e0f9"), root, before_expiry) ==
        protocol_error::malformed_certificate);
  CHECK(validate_error(c.issue("{0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9}"), root, before_expiry) ==
        protocol_error::malformed_certificate);
  CHECK(validate_error(c.issue(""), root, before_expiry) == protocol_error::malformed_certificate);
  CHECK(validate_error(c.issue(account, 0), root, before_expiry) ==
        protocol_error::malformed_certificate);
  CHECK(validate_error(c.issue(account, 128), root, before_expiry) ==
        protocol_error::malformed_certificate);
  CHECK(validate_error(c.issue(account, 0xFFFFFFFF), root, before_expiry) ==
        protocol_error::malformed_certificate);

  // A 0x0E identity key (an old device's), and keys of the wrong length.
  const crypto::typed_public_key ed25519_identity =
      crypto::identity_from_seed(crypto::generate_identity().seed, crypto::identity_form::ed25519)
          .public_key;
  REQUIRE(ed25519_identity[0] == crypto::ed25519_key_type);
  CHECK(validate_error(c.issue(account, device, ed25519_identity), root, before_expiry) ==
        protocol_error::malformed_certificate);
  const std::span<const std::uint8_t> identity(c.identity);
  CHECK(validate_error(c.issue(account, device, identity.first(32)), root, before_expiry) ==
        protocol_error::malformed_certificate);
  bytes longer(c.identity.begin(), c.identity.end());
  longer.push_back(0);
  CHECK(validate_error(c.issue(account, device, longer), root, before_expiry) ==
        protocol_error::malformed_certificate);
}

TEST_CASE("client protocol: garbage, empty and oversized input are malformed",
          "[client][protocol][sender_certificate]") {
  const chain c;
  const crypto::typed_public_key root = c.trust_root();
  CHECK(validate_error({}, root, 0) == protocol_error::malformed_certificate);
  const bytes garbage = {0xff, 0xff, 0xff, 0xff, 0x0f};
  CHECK(validate_error(garbage, root, 0) == protocol_error::malformed_certificate);
  const std::string text_garbage = "not a certificate at all";
  CHECK(validate_error(bytes_of(text_garbage), root, 0) == protocol_error::malformed_certificate);
  // Truncated at every length.
  const bytes certificate = c.issue();
  for (std::size_t size = 0; size < certificate.size(); ++size) {
    INFO("first " << size << " bytes");
    const result<sender_certificate_claims> r = validate_sender_certificate(
        std::span<const std::uint8_t>(certificate).first(size), root, before_expiry);
    REQUIRE_FALSE(r.has_value());
    CHECK((r.error() == protocol_error::malformed_certificate ||
           r.error() == protocol_error::untrusted_certificate));
  }

  // A valid certificate padded with an unknown outer field (outside the signed bytes, which
  // protobuf and libsignal skip) is still valid at exactly the limit, refused one byte over.
  auto padded_to = [&](std::size_t total) {
    bytes out = certificate;
    const std::size_t padding = total - certificate.size() - 3;  // tag, 2-byte length
    REQUIRE(padding >= 128);
    REQUIRE(padding < 16384);
    out.push_back(0x7a);  // field 15, length-delimited
    out.push_back(static_cast<std::uint8_t>((padding & 0x7f) | 0x80));
    out.push_back(static_cast<std::uint8_t>(padding >> 7));
    out.insert(out.end(), padding, 0x00);
    REQUIRE(out.size() == total);
    return out;
  };
  CHECK(validate_sender_certificate(padded_to(max_sender_certificate_size), root, before_expiry));
  CHECK(validate_error(padded_to(max_sender_certificate_size + 1), root, before_expiry) ==
        protocol_error::malformed_certificate);
}

TEST_CASE("client protocol: re-encoded signed bytes are untrusted, a re-ordered wrapper is not",
          "[client][protocol][sender_certificate]") {
  const chain c;
  const crypto::typed_public_key root = c.trust_root();
  pb::SenderCertificate outer;
  REQUIRE(outer.ParseFromString(text(c.issue())));

  // The same five fields, sender_uuid first: decodes to the same values, different bytes.
  pb::SenderCertificate::Certificate inner;
  REQUIRE(inner.ParseFromString(outer.certificate()));
  pb::SenderCertificate::Certificate uuid_only;
  uuid_only.set_sender_uuid(inner.sender_uuid());
  pb::SenderCertificate::Certificate rest = inner;
  rest.clear_sender_uuid();
  const std::string reordered = uuid_only.SerializeAsString() + rest.SerializeAsString();
  pb::SenderCertificate::Certificate check;
  REQUIRE(check.ParseFromString(reordered));
  REQUIRE(check.sender_uuid() == inner.sender_uuid());
  REQUIRE(check.SerializeAsString() == outer.certificate());
  REQUIRE(reordered != outer.certificate());
  pb::SenderCertificate changed = outer;
  changed.set_certificate(reordered);
  CHECK(validate_error(to_bytes(changed.SerializeAsString()), root, before_expiry) ==
        protocol_error::untrusted_certificate);

  // The same for the embedded server certificate's signed bytes (key first, then id).
  pb::ServerCertificate server_outer;
  REQUIRE(server_outer.ParseFromString(text(c.server_certificate)));
  pb::ServerCertificate::Certificate server_inner;
  REQUIRE(server_inner.ParseFromString(server_outer.certificate()));
  pb::ServerCertificate::Certificate key_only;
  key_only.set_key(server_inner.key());
  pb::ServerCertificate::Certificate id_only;
  id_only.set_id(server_inner.id());
  pb::ServerCertificate server_changed = server_outer;
  server_changed.set_certificate(key_only.SerializeAsString() + id_only.SerializeAsString());
  CHECK(validate_error(with_signer(c, server_changed.SerializeAsString()), root, before_expiry) ==
        protocol_error::untrusted_certificate);

  // The unsigned wrapper in another field order changes no signed byte: still valid.
  pb::SenderCertificate signature_only;
  signature_only.set_signature(outer.signature());
  pb::SenderCertificate certificate_only;
  certificate_only.set_certificate(outer.certificate());
  const std::string wrapper_reordered =
      signature_only.SerializeAsString() + certificate_only.SerializeAsString();
  CHECK(validate_sender_certificate(bytes_of(wrapper_reordered), root, before_expiry));
}

}  // namespace
}  // namespace sealpost::client::protocol
