// Sessions: X3DH for both roles, prekey-message handling and Double Ratchet messaging.
#include "protocol/session.hpp"

#include <stdexcept>
#include <utility>

namespace sealpost::client::protocol {

result<session> session::initiate(const local_identity& us, const prekey_bundle& bundle) {
  if (us.registration_id < min_registration_id || us.registration_id > max_registration_id) {
    throw std::invalid_argument("session::initiate: registration id out of range");
  }
  result<x3dh_initiation> x3dh = x3dh_initiate(us, bundle);
  if (!x3dh) {
    return x3dh.error();
  }
  result<ratchet_state> ratchet = ratchet_init_initiator(x3dh->secret, x3dh->remote_signed_prekey);
  if (!ratchet) {
    return ratchet.error();
  }
  session opened;
  opened.initiator_ = true;
  opened.local_identity_key_ = us.identity_key.public_key;
  opened.remote_identity_key_ = x3dh->remote_identity_key;
  opened.remote_registration_id_ = bundle.registration_id;
  opened.base_key_ = x3dh->header.base_key;
  opened.ratchet_ = std::move(*ratchet);
  opened.pending_prekey_ = pending_prekey{x3dh->header.signed_prekey_id,
                                          x3dh->header.one_time_prekey_id, us.registration_id};
  return opened;
}

result<accepted_session> session::accept(const local_identity& us, prekey_store& prekeys,
                                         std::span<const std::uint8_t> content) {
  result<prekey_message> message = decode_prekey_message(content);
  if (!message) {
    return message.error();
  }
  result<ratchet_message> inner = decode_ratchet_message(message->message);
  if (!inner) {
    return inner.error();
  }
  result<x3dh_response> x3dh = x3dh_respond(us, prekeys, message->x3dh);
  if (!x3dh) {
    return x3dh.error();
  }
  session opened;
  opened.local_identity_key_ = us.identity_key.public_key;
  opened.remote_identity_key_ = message->x3dh.identity_key;
  opened.remote_registration_id_ = message->registration_id;
  opened.base_key_ = message->x3dh.base_key;
  opened.ratchet_ = ratchet_init_responder(x3dh->secret, x3dh->signed_prekey);
  result<crypto::secret_bytes<>> plaintext = ratchet_decrypt(opened.ratchet_, *inner, x3dh->ad);
  if (!plaintext) {
    return plaintext.error();
  }
  // Only now: forward secrecy wants the key gone, but a forgery must not burn it.
  if (message->x3dh.one_time_prekey_id) {
    prekeys.remove_one_time_prekey(*message->x3dh.one_time_prekey_id);
  }
  return accepted_session{std::move(opened), std::move(*plaintext)};
}

outgoing_message session::encrypt(std::span<const std::uint8_t> plaintext) {
  std::vector<std::uint8_t> ratchet_bytes = ratchet_encrypt(ratchet_, plaintext, ad());
  if (!pending_prekey_) {
    return {message_type::ratchet, std::move(ratchet_bytes)};
  }
  prekey_message message;
  message.x3dh = {local_identity_key_, base_key_, pending_prekey_->signed_prekey_id,
                  pending_prekey_->one_time_prekey_id};
  message.registration_id = pending_prekey_->local_registration_id;
  message.message = std::move(ratchet_bytes);
  return {message_type::prekey, encode_prekey_message(message)};
}

result<crypto::secret_bytes<>> session::decrypt(message_type type,
                                                std::span<const std::uint8_t> content) {
  switch (type) {
    case message_type::prekey:
      return decrypt_prekey_message(content);
    case message_type::ratchet:
      return decrypt_ratchet_message(content);
  }
  return protocol_error::malformed_message;
}

associated_data session::ad() const noexcept {
  return initiator_ ? make_associated_data(local_identity_key_, remote_identity_key_)
                    : make_associated_data(remote_identity_key_, local_identity_key_);
}

result<crypto::secret_bytes<>> session::decrypt_prekey_message(
    std::span<const std::uint8_t> content) {
  result<prekey_message> message = decode_prekey_message(content);
  if (!message) {
    return message.error();
  }
  // Only a responder receives prekey messages, and only its own peer's for this base key.
  if (initiator_ || message->x3dh.identity_key != remote_identity_key_ ||
      message->x3dh.base_key != base_key_) {
    return protocol_error::session_mismatch;
  }
  return decrypt_ratchet_message(message->message);
}

result<crypto::secret_bytes<>> session::decrypt_ratchet_message(
    std::span<const std::uint8_t> content) {
  result<ratchet_message> message = decode_ratchet_message(content);
  if (!message) {
    return message.error();
  }
  result<crypto::secret_bytes<>> plaintext = ratchet_decrypt(ratchet_, *message, ad());
  if (plaintext && initiator_) {
    // The peer has a session with us now: plain ratchet messages from here on.
    pending_prekey_.reset();
  }
  return plaintext;
}

}  // namespace sealpost::client::protocol
