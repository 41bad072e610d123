// Building and checking sealed-sender certificates with the proto2 messages of
// proto/sealpost/v1/sealed_sender.proto.
#include "sealed_sender/certificates.hpp"

#include <algorithm>

#include "crypto/signature.hpp"
#include "sealpost/v1/sealed_sender.pb.h"

namespace sealpost::sealed_sender {
namespace {

namespace pb = sealpost::v1::sealed_sender;

constexpr std::uint64_t kRevokedKeyId = 0xDEADC357;
constexpr std::uint64_t kTestKeyId = 0x7357C357;

template <typename Message>
bytes serialize(const Message& message) {
  const std::string text = message.SerializeAsString();
  return bytes(text.begin(), text.end());
}

std::string as_string(std::span<const std::uint8_t> data) {
  return std::string(data.begin(), data.end());
}

std::span<const std::uint8_t> as_bytes(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// The inner certificate bytes with `signer`'s signature over exactly those bytes.
template <typename Outer>
bytes signed_certificate(const std::string& inner, const crypto::signing_key& signer) {
  const auto signature = signer.sign(as_bytes(inner));
  Outer outer;
  outer.set_certificate(inner);
  outer.set_signature(signature.data(), signature.size());
  return serialize(outer);
}

}  // namespace

bool is_allowed_key_id(std::uint64_t key_id) noexcept {
  return key_id >= 1 && key_id <= 0xFFFFFFFFULL && key_id != kRevokedKeyId && key_id != kTestKeyId;
}

bytes make_server_certificate(const crypto::signing_key& trust_root, std::uint32_t key_id,
                              const crypto::curve25519_public_key& server_key) {
  if (!is_allowed_key_id(key_id))
    throw std::invalid_argument("key id " + std::to_string(key_id) +
                                " is not allowed (1..4294967295, not 0xDEADC357 or 0x7357C357)");
  pb::ServerCertificate::Certificate inner;
  inner.set_id(key_id);
  inner.set_key(server_key.data(), server_key.size());
  return signed_certificate<pb::ServerCertificate>(inner.SerializeAsString(), trust_root);
}

server_certificate_contents check_server_certificate(
    std::span<const std::uint8_t> certificate, const crypto::curve25519_public_key& trust_root) {
  pb::ServerCertificate outer;
  if (!outer.ParseFromString(as_string(certificate)) || !outer.has_certificate() ||
      !outer.has_signature())
    throw certificate_error("the server certificate is not a ServerCertificate message");
  pb::ServerCertificate::Certificate inner;
  if (!inner.ParseFromString(outer.certificate()) || !inner.has_id() || !inner.has_key())
    throw certificate_error("the server certificate lacks its key id or key");
  if (!is_allowed_key_id(inner.id()))
    throw certificate_error("the server certificate's key id " + std::to_string(inner.id()) +
                            " is not allowed");
  const auto key = crypto::parse_typed_key(as_bytes(inner.key()), crypto::key_purpose::dh_prekey);
  if (!key)
    throw certificate_error("the server certificate's key is not a 33-byte 0x05 key");
  const auto root = crypto::parse_typed_key(trust_root, crypto::key_purpose::identity);
  if (!root ||
      !crypto::verify_signature(*root, as_bytes(outer.certificate()), as_bytes(outer.signature())))
    throw certificate_error("the trust root's signature on the server certificate does not verify");
  server_certificate_contents out;
  out.key_id = inner.id();
  std::copy_n(inner.key().begin(), out.key.size(), out.key.begin());
  return out;
}

bytes issue_sender_certificate(const sender_identity& sender, std::uint64_t expires_ms,
                               std::span<const std::uint8_t> server_certificate,
                               const crypto::signing_key& server_key) {
  pb::SenderCertificate::Certificate inner;
  inner.set_sender_device(sender.device_id);
  inner.set_expires(expires_ms);
  inner.set_identity_key(as_string(sender.identity_key));
  inner.set_signer(as_string(server_certificate));
  inner.set_sender_uuid(std::string(sender.account_id));
  return signed_certificate<pb::SenderCertificate>(inner.SerializeAsString(), server_key);
}

}  // namespace sealpost::sealed_sender
