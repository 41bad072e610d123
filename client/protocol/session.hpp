// A pairwise end-to-end encrypted session with one remote device: X3DH to open it, the
// Double Ratchet for every message, and serialisation for storage (encrypted) at rest.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "crypto/key_encoding.hpp"
#include "crypto/secret_bytes.hpp"
#include "crypto/x25519.hpp"
#include "protocol/prekey.hpp"
#include "protocol/protocol_error.hpp"
#include "protocol/ratchet.hpp"
#include "protocol/wire.hpp"
#include "protocol/x3dh.hpp"

namespace sealpost::client::protocol {

// What to put in an Envelope: its `type` and its `content`.
struct outgoing_message {
  message_type type = message_type::ratchet;
  std::vector<std::uint8_t> content;
};

struct accepted_session;

// The initiator sends prekey messages (the X3DH header around a ratchet message) until the
// first reply from the peer decrypts, so that the responder can open the session from
// whichever of them arrives first, even if earlier ones are lost or reordered. The responder
// recognises later prekey messages of the same session by the X3DH base key.
class session {
 public:
  // Runs X3DH against a peer's bundle (see x3dh_initiate for the errors; a bad signed
  // prekey signature is bad_signature). Throws std::invalid_argument when our registration
  // id is outside 1..16380; crypto_error on internal failure.
  static result<session> initiate(const local_identity& us, const prekey_bundle& bundle);

  // Opens a session from a received prekey message (Envelope type 1) and decrypts it.
  // Removes the one-time prekey it used from `prekeys` only once the message authenticated.
  // Errors: malformed_message, unknown_signed_prekey, unknown_one_time_prekey (also for a
  // replay of a message whose one-time prekey is used up), invalid_identity_key,
  // invalid_public_key, decryption_failed, too_many_skipped_messages. The caller decides
  // whether to trust the peer's remote_identity_key(). Throws crypto_error.
  static result<accepted_session> accept(const local_identity& us, prekey_store& prekeys,
                                         std::span<const std::uint8_t> content);

  // Encrypts the next message to the peer. Throws std::overflow_error when the sending chain
  // is exhausted (2^32 - 1 messages without a reply); crypto_error on internal failure.
  outgoing_message encrypt(std::span<const std::uint8_t> plaintext);

  // Decrypts an Envelope's content. A prekey message is decrypted only when it belongs to
  // this session (else session_mismatch: try accept for a new session). On any error the
  // session is unchanged. See ratchet_decrypt for the errors. Throws crypto_error.
  result<crypto::secret_bytes<>> decrypt(message_type type, std::span<const std::uint8_t> content);

  // The whole state, private keys included: encrypt it before it touches storage.
  // Throws crypto_error only on internal failure.
  [[nodiscard]] crypto::secret_bytes<> serialize() const;

  // The session serialize() produced; malformed_state for any input that is not one.
  static result<session> deserialize(std::span<const std::uint8_t> bytes);

  [[nodiscard]] const crypto::typed_public_key& remote_identity_key() const noexcept {
    return remote_identity_key_;
  }
  [[nodiscard]] std::uint32_t remote_registration_id() const noexcept {
    return remote_registration_id_;
  }
  // True for the initiator until the peer's first reply has decrypted.
  [[nodiscard]] bool awaiting_reply() const noexcept { return pending_prekey_.has_value(); }

 private:
  // The X3DH header fields an initiator repeats in each prekey message.
  struct pending_prekey {
    std::uint32_t signed_prekey_id = 0;
    std::optional<std::uint32_t> one_time_prekey_id;
    std::uint32_t local_registration_id = 0;
  };

  session() = default;

  [[nodiscard]] associated_data ad() const noexcept;
  result<crypto::secret_bytes<>> decrypt_prekey_message(std::span<const std::uint8_t> content);
  result<crypto::secret_bytes<>> decrypt_ratchet_message(std::span<const std::uint8_t> content);

  bool initiator_ = false;
  crypto::typed_public_key local_identity_key_{};
  crypto::typed_public_key remote_identity_key_{};
  std::uint32_t remote_registration_id_ = 0;
  crypto::x25519_public_key base_key_{};
  ratchet_state ratchet_;
  std::optional<pending_prekey> pending_prekey_;
};

struct accepted_session {
  protocol::session session;
  crypto::secret_bytes<> plaintext;
};

}  // namespace sealpost::client::protocol
