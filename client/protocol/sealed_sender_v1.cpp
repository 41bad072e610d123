// SSv1 over OpenSSL: X25519, HKDF-SHA256, AES-256-CTR and a 10-byte truncated HMAC-SHA256.
#include "protocol/sealed_sender_v1.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "crypto/aes_ctr.hpp"
#include "crypto/hash.hpp"
#include "crypto/hkdf.hpp"
#include "protocol/detail/proto_bytes.hpp"
#include "sealpost/v1/sealed_sender.pb.h"

namespace sealpost::client::protocol {
namespace {

using detail::assign_bytes;
using detail::bytes_of;
using wire_message = v1::sealed_sender::UnidentifiedSenderMessage;
using wire_content = v1::sealed_sender::UnidentifiedSenderMessage::Message;

constexpr std::uint8_t x25519_type = 0x05;
constexpr std::uint8_t ed25519_type = 0x0E;
constexpr std::size_t key_size = 32;
constexpr std::size_t mac_size = 10;  // HMAC-SHA256 truncated to its first 10 bytes
constexpr std::size_t encrypted_static_size = sealed_sender_typed_key_size + mac_size;
constexpr std::size_t derived_size = 3 * key_size;  // chain key || cipher key || mac key
constexpr std::string_view salt_prefix = "UnidentifiedDelivery";
// CTR always starts from the zero counter block: every key encrypts exactly one message.
constexpr std::array<std::uint8_t, crypto::aes_ctr_counter_size> zero_counter{};

using key_view = std::span<const std::uint8_t, key_size>;

// 96 bytes of HKDF-SHA256(salt, ikm, info = ""): chain key, cipher key, mac key.
class derived_keys {
 public:
  derived_keys(const crypto::x25519_shared_secret& ikm, std::span<const std::uint8_t> salt)
      : bytes_(crypto::hkdf_sha256(ikm.view(), salt, {}, derived_size)) {}

  [[nodiscard]] key_view chain_key() const { return part(0); }
  [[nodiscard]] key_view cipher_key() const { return part(1); }
  [[nodiscard]] key_view mac_key() const { return part(2); }

 private:
  [[nodiscard]] key_view part(std::size_t index) const {
    return bytes_.view().subspan(index * key_size).first<key_size>();
  }

  crypto::secret_bytes<> bytes_;
};

bool is_x25519_key_of(typed_key_view typed, std::span<const std::uint8_t, key_size> u) {
  return typed[0] == x25519_type && std::equal(u.begin(), u.end(), typed.begin() + 1);
}

// libsignal's aes256_ctr_hmacsha256_encrypt: CTR ciphertext || HMAC(mac key, ciphertext)[..10].
std::vector<std::uint8_t> encrypt_then_mac(const derived_keys& keys,
                                           std::span<const std::uint8_t> plaintext) {
  std::vector<std::uint8_t> out = crypto::aes_256_ctr(keys.cipher_key(), zero_counter, plaintext);
  const crypto::hmac_sha256_tag tag = crypto::hmac_sha256(keys.mac_key(), out);
  out.insert(out.end(), tag.data(), tag.data() + mac_size);
  return out;
}

// The reverse: nullopt unless `sealed` is at least a MAC long and its truncated MAC
// verifies (compared in constant time); the plaintext is only produced after that.
std::optional<crypto::secret_bytes<>> verify_then_decrypt(const derived_keys& keys,
                                                          std::span<const std::uint8_t> sealed) {
  if (sealed.size() < mac_size) {
    return std::nullopt;
  }
  const std::span<const std::uint8_t> ciphertext = sealed.first(sealed.size() - mac_size);
  const std::span<const std::uint8_t> received_tag = sealed.last(mac_size);
  const crypto::hmac_sha256_tag expected_tag = crypto::hmac_sha256(keys.mac_key(), ciphertext);
  if (CRYPTO_memcmp(expected_tag.data(), received_tag.data(), mac_size) != 0) {
    return std::nullopt;
  }
  crypto::secret_bytes<> plaintext(ciphertext.size());
  crypto::aes_256_ctr_xor(keys.cipher_key(), zero_counter, ciphertext, plaintext.mutable_view());
  return plaintext;
}

// "UnidentifiedDelivery" || recipient identity (as published) || ephemeral key (0x05 || u).
std::vector<std::uint8_t> ephemeral_salt(typed_key_view recipient_identity,
                                         typed_key_view ephemeral_public) {
  std::vector<std::uint8_t> salt(salt_prefix.begin(), salt_prefix.end());
  salt.insert(salt.end(), recipient_identity.begin(), recipient_identity.end());
  salt.insert(salt.end(), ephemeral_public.begin(), ephemeral_public.end());
  return salt;
}

// Ephemeral chain key || encrypted_static (all 43 bytes, MAC included).
crypto::secret_bytes<> static_salt(const derived_keys& ephemeral_keys,
                                   std::span<const std::uint8_t> encrypted_static) {
  crypto::secret_bytes<> salt(key_size + encrypted_static.size());
  const key_view chain_key = ephemeral_keys.chain_key();
  std::copy(chain_key.begin(), chain_key.end(), salt.data());
  std::copy(encrypted_static.begin(), encrypted_static.end(), salt.data() + key_size);
  return salt;
}

sealed_sender_typed_key typed_x25519(std::span<const std::uint8_t, key_size> u) {
  sealed_sender_typed_key typed{};
  typed[0] = x25519_type;
  std::copy(u.begin(), u.end(), typed.begin() + 1);
  return typed;
}

std::optional<sealed_content_type> to_content_type(std::uint32_t value) noexcept {
  switch (value) {
    case static_cast<std::uint32_t>(sealed_content_type::prekey_message):
      return sealed_content_type::prekey_message;
    case static_cast<std::uint32_t>(sealed_content_type::message):
      return sealed_content_type::message;
    case static_cast<std::uint32_t>(sealed_content_type::senderkey_message):
      return sealed_content_type::senderkey_message;
    case static_cast<std::uint32_t>(sealed_content_type::plaintext_content):
      return sealed_content_type::plaintext_content;
    default:
      return std::nullopt;
  }
}

// The one encoding this side writes (and, for the outer message, the only one it accepts).
std::vector<std::uint8_t> encode_outer(std::span<const std::uint8_t> ephemeral_public,
                                       std::span<const std::uint8_t> encrypted_static,
                                       std::span<const std::uint8_t> encrypted_message) {
  wire_message proto;
  assign_bytes(proto.mutable_ephemeral_public(), ephemeral_public);
  assign_bytes(proto.mutable_encrypted_static(), encrypted_static);
  assign_bytes(proto.mutable_encrypted_message(), encrypted_message);
  return detail::serialize_bytes(proto);
}

void check_own_identity(typed_key_view identity, const crypto::x25519_private_key& dh_private,
                        bool allow_ed25519) {
  if (allow_ed25519 && identity[0] == ed25519_type) {
    return;  // its X25519 form is the caller's to get right
  }
  if (!is_x25519_key_of(identity, crypto::x25519_public_from_private(dh_private))) {
    throw std::invalid_argument(
        "sealed sender: own identity key does not match its X25519 private key");
  }
}

}  // namespace

std::vector<std::uint8_t> encode_sealed_sender_content(const sealed_sender_content& content) {
  wire_content proto;
  proto.set_type(static_cast<std::uint32_t>(content.type));
  assign_bytes(proto.mutable_sender_certificate(), content.sender_certificate);
  assign_bytes(proto.mutable_content(), content.content);
  if (content.content_hint) {
    proto.set_content_hint(*content.content_hint);
  }
  if (content.group_id) {
    assign_bytes(proto.mutable_group_id(), *content.group_id);
  }
  return detail::serialize_bytes(proto);
}

result<sealed_sender_content> decode_sealed_sender_content(std::span<const std::uint8_t> bytes) {
  wire_content proto;
  if (!detail::parse_bytes(proto, bytes) || !proto.has_type() || !proto.has_sender_certificate() ||
      !proto.has_content()) {
    return protocol_error::malformed_message;
  }
  const std::optional<sealed_content_type> type = to_content_type(proto.type());
  if (!type) {
    return protocol_error::malformed_message;
  }
  sealed_sender_content content;
  content.type = *type;
  const auto certificate = bytes_of(proto.sender_certificate());
  content.sender_certificate.assign(certificate.begin(), certificate.end());
  const auto inner = bytes_of(proto.content());
  content.content.assign(inner.begin(), inner.end());
  if (proto.has_content_hint()) {
    content.content_hint = proto.content_hint();
  }
  if (proto.has_group_id()) {
    const auto group_id = bytes_of(proto.group_id());
    content.group_id.emplace(group_id.begin(), group_id.end());
  }
  return content;
}

result<std::vector<std::uint8_t>> seal_sealed_sender_v1(
    typed_key_view recipient_identity, std::span<const std::uint8_t, 32> recipient_dh_public,
    typed_key_view sender_identity, const crypto::x25519_private_key& sender_dh_private,
    std::span<const std::uint8_t> content) {
  return detail::seal_sealed_sender_v1_with_ephemeral(recipient_identity, recipient_dh_public,
                                                      sender_identity, sender_dh_private, content,
                                                      crypto::x25519_generate());
}

result<std::vector<std::uint8_t>> detail::seal_sealed_sender_v1_with_ephemeral(
    typed_key_view recipient_identity, std::span<const std::uint8_t, 32> recipient_dh_public,
    typed_key_view sender_identity, const crypto::x25519_private_key& sender_dh_private,
    std::span<const std::uint8_t> content, const crypto::x25519_key_pair& ephemeral) {
  check_own_identity(sender_identity, sender_dh_private, /*allow_ed25519=*/false);
  if (content.size() > max_sealed_sender_content_size) {
    throw std::invalid_argument("sealed sender: content too large");
  }
  const bool recipient_consistent = recipient_identity[0] == ed25519_type ||
                                    is_x25519_key_of(recipient_identity, recipient_dh_public);
  if (!recipient_consistent) {
    return protocol_error::invalid_identity_key;
  }

  const sealed_sender_typed_key ephemeral_public = typed_x25519(ephemeral.public_key);
  const std::optional<crypto::x25519_shared_secret> ephemeral_dh =
      crypto::x25519_dh(ephemeral.private_key, recipient_dh_public);
  const std::optional<crypto::x25519_shared_secret> static_dh =
      crypto::x25519_dh(sender_dh_private, recipient_dh_public);
  if (!ephemeral_dh || !static_dh) {
    return protocol_error::invalid_identity_key;
  }

  const derived_keys ephemeral_keys(*ephemeral_dh,
                                    ephemeral_salt(recipient_identity, ephemeral_public));
  const std::vector<std::uint8_t> encrypted_static =
      encrypt_then_mac(ephemeral_keys, sender_identity);
  const derived_keys static_keys(*static_dh, static_salt(ephemeral_keys, encrypted_static).view());
  const std::vector<std::uint8_t> encrypted_message = encrypt_then_mac(static_keys, content);

  std::vector<std::uint8_t> message{sealed_sender_v1_version};
  const std::vector<std::uint8_t> body =
      encode_outer(ephemeral_public, encrypted_static, encrypted_message);
  message.insert(message.end(), body.begin(), body.end());
  return message;
}

result<sealed_sender_v1_opened> open_sealed_sender_v1(
    typed_key_view our_identity, const crypto::x25519_private_key& our_dh_private,
    std::span<const std::uint8_t> message) {
  check_own_identity(our_identity, our_dh_private, /*allow_ed25519=*/true);
  if (message.empty() || message[0] != sealed_sender_v1_version) {
    return protocol_error::unsupported_sealed_sender_version;
  }

  const std::span<const std::uint8_t> body = message.subspan(1);
  wire_message proto;
  if (!detail::parse_bytes(proto, body) || !proto.has_ephemeral_public() ||
      !proto.has_encrypted_static() || !proto.has_encrypted_message()) {
    return protocol_error::malformed_message;
  }
  const std::span<const std::uint8_t> ephemeral_bytes = bytes_of(proto.ephemeral_public());
  const std::span<const std::uint8_t> encrypted_static = bytes_of(proto.encrypted_static());
  const std::span<const std::uint8_t> encrypted_message = bytes_of(proto.encrypted_message());
  // Only the canonical encoding is accepted, so that every byte of the message is either
  // authenticated or fixed by the authenticated fields.
  const std::vector<std::uint8_t> canonical =
      encode_outer(ephemeral_bytes, encrypted_static, encrypted_message);
  if (!std::equal(canonical.begin(), canonical.end(), body.begin(), body.end()) ||
      ephemeral_bytes.size() != sealed_sender_typed_key_size || ephemeral_bytes[0] != x25519_type ||
      encrypted_static.size() != encrypted_static_size || encrypted_message.size() < mac_size) {
    return protocol_error::malformed_message;
  }
  const typed_key_view ephemeral_public = ephemeral_bytes.first<sealed_sender_typed_key_size>();

  const std::optional<crypto::x25519_shared_secret> ephemeral_dh =
      crypto::x25519_dh(our_dh_private, ephemeral_public.subspan<1>());
  if (!ephemeral_dh) {
    return protocol_error::invalid_public_key;
  }
  const derived_keys ephemeral_keys(*ephemeral_dh, ephemeral_salt(our_identity, ephemeral_public));
  const std::optional<crypto::secret_bytes<>> sender_bytes =
      verify_then_decrypt(ephemeral_keys, encrypted_static);
  if (!sender_bytes) {
    return protocol_error::decryption_failed;
  }
  const typed_key_view sender = sender_bytes->view().first<sealed_sender_typed_key_size>();
  if (sender[0] != x25519_type) {
    return protocol_error::invalid_identity_key;
  }
  const std::optional<crypto::x25519_shared_secret> static_dh =
      crypto::x25519_dh(our_dh_private, sender.subspan<1>());
  if (!static_dh) {
    return protocol_error::invalid_identity_key;
  }

  const derived_keys static_keys(*static_dh, static_salt(ephemeral_keys, encrypted_static).view());
  std::optional<crypto::secret_bytes<>> content =
      verify_then_decrypt(static_keys, encrypted_message);
  if (!content) {
    return protocol_error::decryption_failed;
  }
  sealed_sender_v1_opened opened;
  std::copy(sender.begin(), sender.end(), opened.sender_identity.begin());
  opened.content = std::move(*content);
  return opened;
}

}  // namespace sealpost::client::protocol
