// Sender-certificate validation over the proto2 messages of
// proto/sealpost/v1/sealed_sender.proto and the XEdDSA verifier of crypto/identity_key.hpp.
#include "protocol/sender_certificate.hpp"

#include <algorithm>
#include <optional>
#include <string_view>

#include "crypto/identity_key.hpp"
#include "protocol/detail/proto_bytes.hpp"
#include "sealpost/v1/sealed_sender.pb.h"

namespace sealpost::client::protocol {
namespace {

using detail::bytes_of;
namespace pb = v1::sealed_sender;

constexpr std::uint32_t revoked_key_id = 0xDEADC357;  // revoked inside libsignal
constexpr std::uint32_t test_key_id = 0x7357C357;     // libsignal's test key
constexpr std::uint32_t max_device_id = 127;
constexpr std::size_t uuid_text_size = 36;

bool is_allowed_key_id(std::uint32_t key_id) noexcept {
  return key_id != 0 && key_id != revoked_key_id && key_id != test_key_id;
}

// 36 characters: lowercase hex digits, with dashes at 8, 13, 18 and 23.
bool is_canonical_uuid(std::string_view text) noexcept {
  if (text.size() != uuid_text_size) {
    return false;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    const bool ok = dash_position ? c == '-' : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::optional<crypto::typed_public_key> curve25519_key(std::span<const std::uint8_t> typed) {
  if (typed.size() != crypto::typed_key_size || typed[0] != crypto::curve25519_key_type) {
    return std::nullopt;
  }
  crypto::typed_public_key key{};
  std::copy(typed.begin(), typed.end(), key.begin());
  return key;
}

// A signed certificate: the exact inner bytes and the signature over them.
template <typename Outer>
bool parse_signed(Outer& outer, std::span<const std::uint8_t> bytes) {
  return detail::parse_bytes(outer, bytes) && outer.has_certificate() && outer.has_signature();
}

// The embedded server certificate, parsed: every field present and a 0x05 key.
struct server_certificate {
  pb::ServerCertificate outer;
  std::uint32_t key_id = 0;
  crypto::typed_public_key key{};
};

std::optional<server_certificate> parse_server_certificate(std::span<const std::uint8_t> bytes) {
  server_certificate parsed;
  pb::ServerCertificate::Certificate inner;
  if (!parse_signed(parsed.outer, bytes) ||
      !detail::parse_bytes(inner, bytes_of(parsed.outer.certificate())) || !inner.has_id() ||
      !inner.has_key()) {
    return std::nullopt;
  }
  const std::optional<crypto::typed_public_key> key = curve25519_key(bytes_of(inner.key()));
  if (!key) {
    return std::nullopt;
  }
  parsed.key_id = inner.id();
  parsed.key = *key;
  return parsed;
}

}  // namespace

result<sender_certificate_claims> validate_sender_certificate(
    std::span<const std::uint8_t> certificate, const crypto::typed_public_key& trust_root,
    std::uint64_t at_ms) {
  if (certificate.size() > max_sender_certificate_size) {
    return protocol_error::malformed_certificate;
  }
  pb::SenderCertificate outer;
  pb::SenderCertificate::Certificate inner;
  if (!parse_signed(outer, certificate) ||
      !detail::parse_bytes(inner, bytes_of(outer.certificate())) || !inner.has_sender_device() ||
      !inner.has_expires() || !inner.has_identity_key() || !inner.has_signer() ||
      !inner.has_sender_uuid()) {
    return protocol_error::malformed_certificate;
  }
  const std::optional<server_certificate> server =
      parse_server_certificate(bytes_of(inner.signer()));
  if (!server) {
    return protocol_error::malformed_certificate;
  }

  // The chain, before anything the certificate claims is looked at.
  if (trust_root[0] != crypto::curve25519_key_type ||
      !crypto::identity_verify(trust_root, bytes_of(server->outer.certificate()),
                               bytes_of(server->outer.signature())) ||
      !is_allowed_key_id(server->key_id) ||
      !crypto::identity_verify(server->key, bytes_of(outer.certificate()),
                               bytes_of(outer.signature()))) {
    return protocol_error::untrusted_certificate;
  }

  const std::optional<crypto::typed_public_key> identity =
      curve25519_key(bytes_of(inner.identity_key()));
  if (!is_canonical_uuid(inner.sender_uuid()) || inner.sender_device() < 1 ||
      inner.sender_device() > max_device_id || !identity) {
    return protocol_error::malformed_certificate;
  }
  if (at_ms > inner.expires()) {
    return protocol_error::expired_certificate;
  }

  sender_certificate_claims claims;
  claims.sender_account = inner.sender_uuid();
  claims.sender_device = inner.sender_device();
  claims.identity_key = *identity;
  claims.expires_ms = inner.expires();
  claims.server_key_id = server->key_id;
  return claims;
}

}  // namespace sealpost::client::protocol
