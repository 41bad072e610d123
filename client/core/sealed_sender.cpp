// Sealed sender: libsignal's single-recipient format (SSv1) around this client's own ratchet
// messages, with the sender certificate the server issued to this device inside.
#include "core/sealed_sender.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "crypto/identity_key.hpp"
#include "net/errors.hpp"
#include "protocol/sealed_sender_v1.hpp"
#include "protocol/sender_certificate.hpp"

namespace sealpost::client {
namespace {

// Our message types and libsignal's content types share their numbers (1 prekey, 2 ratchet).
std::optional<protocol::sealed_content_type> content_type_of(std::uint32_t envelope_type) {
  switch (envelope_type) {
    case 1:
      return protocol::sealed_content_type::prekey_message;
    case 2:
      return protocol::sealed_content_type::message;
    default:
      return std::nullopt;
  }
}

std::optional<std::uint32_t> envelope_type_of(protocol::sealed_content_type type) {
  switch (type) {
    case protocol::sealed_content_type::prekey_message:
      return 1;
    case protocol::sealed_content_type::message:
      return 2;
    default:
      return std::nullopt;  // group and plaintext contents: not sent by this client
  }
}

bool same_key(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

bool sealed_sender::pin_trust_root() {
  if (state_.trust_root) {
    return true;
  }
  const std::optional<net::byte_vector> root = api_.get_trust_root();
  if (!root) {
    return false;
  }
  state_.trust_root.emplace();
  std::copy(root->begin(), root->end(), state_.trust_root->begin());
  return true;
}

std::optional<std::vector<std::uint8_t>> sealed_sender::sender_certificate() {
  if (state_.identity.identity_key.form() != crypto::identity_form::curve25519) {
    return std::nullopt;
  }
  const std::uint64_t now = now_ms();
  if (state_.delivery_certificate &&
      state_.delivery_certificate->expires_at_ms > now + certificate_renew_margin_ms) {
    return state_.delivery_certificate->certificate;
  }
  if (!pin_trust_root()) {
    return std::nullopt;
  }
  net::delivery_certificate fresh;
  try {
    fresh = api_.get_delivery_certificate();
  } catch (const net::api_error& e) {
    if (e.status() == 404) {
      return std::nullopt;  // sealed sender turned off since the root was pinned
    }
    throw;
  }
  const protocol::result<protocol::sender_certificate_claims> claims =
      protocol::validate_sender_certificate(fresh.certificate, *state_.trust_root, now);
  if (!claims || claims->sender_account != state_.account_id ||
      claims->sender_device != state_.device_id || claims->identity_key != state_.identity_key() ||
      claims->expires_ms != fresh.expires_at_ms) {
    throw trust_root_changed_error();
  }
  state_.delivery_certificate = std::move(fresh);
  return state_.delivery_certificate->certificate;
}

net::outgoing_envelope sealed_sender::seal(const contact_device& device,
                                           const net::outgoing_envelope& inner,
                                           std::span<const std::uint8_t> certificate) const {
  const std::optional<protocol::sealed_content_type> type = content_type_of(inner.type);
  const std::optional<crypto::x25519_public_key> recipient_dh =
      crypto::identity_dh_public_key(device.identity_key);
  if (!type || !recipient_dh) {
    throw std::logic_error("sealed_sender::seal: not a ratchet message for a usable key");
  }
  const std::vector<std::uint8_t> usmc = protocol::encode_sealed_sender_content(
      {*type, {certificate.begin(), certificate.end()}, inner.content, std::nullopt, std::nullopt});
  protocol::result<std::vector<std::uint8_t>> sealed = protocol::seal_sealed_sender_v1(
      device.identity_key, *recipient_dh, state_.identity_key(),
      crypto::identity_dh_private_key(state_.identity.identity_key), usmc);
  if (!sealed) {
    // The key was trusted and used for a session: only a low-order key gets here.
    throw std::logic_error("sealed_sender::seal: the recipient's identity key is unusable");
  }
  return {inner.device_id, inner.registration_id, net::unidentified_sender_type,
          std::move(*sealed)};
}

protocol::result<unsealed_envelope> sealed_sender::open(const net::envelope& sealed) const {
  protocol::result<protocol::sealed_sender_v1_opened> opened = protocol::open_sealed_sender_v1(
      state_.identity_key(), crypto::identity_dh_private_key(state_.identity.identity_key),
      sealed.content);
  if (!opened) {
    return opened.error();
  }
  protocol::result<protocol::sealed_sender_content> content =
      protocol::decode_sealed_sender_content(opened->content.view());
  if (!content) {
    return content.error();
  }
  if (!state_.trust_root) {
    return protocol::protocol_error::untrusted_certificate;
  }
  // Checked at the time the server received the message, as libsignal clients do.
  protocol::result<protocol::sender_certificate_claims> claims =
      protocol::validate_sender_certificate(content->sender_certificate, *state_.trust_root,
                                            sealed.server_timestamp);
  if (!claims) {
    return claims.error();
  }
  // The certificate must vouch for the very key that sealed the message.
  if (!same_key(claims->identity_key, opened->sender_identity)) {
    return protocol::protocol_error::untrusted_certificate;
  }
  const std::optional<std::uint32_t> inner_type = envelope_type_of(content->type);
  if (!inner_type) {
    return protocol::protocol_error::malformed_message;
  }
  unsealed_envelope out;
  out.inner = sealed;
  out.inner.source_account = claims->sender_account;
  out.inner.source_device = claims->sender_device;
  out.inner.type = *inner_type;
  out.inner.content = std::move(content->content);
  out.certified_identity = claims->identity_key;
  return out;
}

privacy_settings sealed_sender::settings() {
  const net::unidentified_access server = api_.get_unidentified_access();
  privacy_settings out;
  out.access_key_registered = server.key_set;
  out.unrestricted = server.unrestricted;
  out.profile_key_known = state_.profile_key.has_value();
  out.trust_root_pinned = state_.trust_root.has_value();
  out.identity_can_send_sealed =
      state_.identity.identity_key.form() == crypto::identity_form::curve25519;
  out.contacts_with_access_key = static_cast<std::size_t>(
      std::count_if(state_.contacts.begin(), state_.contacts.end(),
                    [](const auto& entry) { return entry.second.access_key.has_value(); }));
  return out;
}

void sealed_sender::change(const privacy_change& change) {
  if (change.pin_new_root) {
    state_.trust_root.reset();
    state_.delivery_certificate.reset();
    pin_trust_root();
  }
  if (!change.unrestricted && !change.new_profile_key) {
    return;
  }
  if (change.new_profile_key || !state_.profile_key) {
    state_.profile_key = crypto::generate_profile_key();
  }
  const bool unrestricted =
      change.unrestricted.value_or(api_.get_unidentified_access().unrestricted);
  const crypto::access_key key = crypto::derive_access_key(*state_.profile_key);
  api_.put_unidentified_access(key.view(), unrestricted);
}

}  // namespace sealpost::client
