// session::serialize / session::deserialize: the SessionState message of client.proto,
// with every field of a deserialised state checked before it is used.
#include <limits>

#include "crypto/identity_key.hpp"
#include "protocol/detail/proto_bytes.hpp"
#include "protocol/session.hpp"
#include "sealpost/v1/client.pb.h"

namespace sealpost::client::protocol {
namespace {

using detail::assign_bytes;
using detail::bytes_of;

constexpr std::uint32_t state_version = 1;

// Wipes the secret fields of a SessionState when it goes out of scope, on every path.
class state_wiper {
 public:
  explicit state_wiper(v1::SessionState& state) noexcept : state_(state) {}
  state_wiper(const state_wiper&) = delete;
  state_wiper& operator=(const state_wiper&) = delete;
  ~state_wiper() {
    v1::RatchetState* ratchet = state_.mutable_ratchet();
    detail::wipe_field(ratchet->mutable_root_key());
    detail::wipe_field(ratchet->mutable_sending_ratchet_private_key());
    detail::wipe_field(ratchet->mutable_sending_chain_key());
    detail::wipe_field(ratchet->mutable_receiving_chain_key());
    for (v1::SkippedMessageKey& skipped : *ratchet->mutable_skipped_message_keys()) {
      detail::wipe_field(skipped.mutable_message_key());
    }
  }

 private:
  v1::SessionState& state_;
};

void write_optional_key(std::string* field, const std::optional<symmetric_key>& key) {
  if (key) {
    assign_bytes(field, key->view());
  }
}

void write_ratchet(const ratchet_state& state, v1::RatchetState& out) {
  assign_bytes(out.mutable_root_key(), state.root_key.view());
  assign_bytes(out.mutable_sending_ratchet_private_key(),
               state.sending_ratchet_key.private_key.view());
  if (state.receiving_ratchet_key) {
    assign_bytes(out.mutable_receiving_ratchet_key(),
                 crypto::encode_x25519_public_key(*state.receiving_ratchet_key));
  }
  write_optional_key(out.mutable_sending_chain_key(), state.sending_chain_key);
  out.set_sending_message_number(state.sending_message_number);
  write_optional_key(out.mutable_receiving_chain_key(), state.receiving_chain_key);
  out.set_receiving_message_number(state.receiving_message_number);
  out.set_previous_sending_chain_length(state.previous_sending_chain_length);
  for (const skipped_message_key& skipped : state.skipped_message_keys) {
    v1::SkippedMessageKey* entry = out.add_skipped_message_keys();
    assign_bytes(entry->mutable_ratchet_key(),
                 crypto::encode_x25519_public_key(skipped.ratchet_key));
    entry->set_message_number(skipped.message_number);
    assign_bytes(entry->mutable_message_key(), skipped.message_key.view());
  }
}

// An empty field is "no key"; anything but empty or 32 bytes is refused.
bool read_optional_key(const std::string& field, std::optional<symmetric_key>& out) {
  if (field.empty()) {
    out.reset();
    return true;
  }
  if (field.size() != symmetric_key_size) {
    return false;
  }
  out = symmetric_key(bytes_of(field));
  return true;
}

bool read_skipped_keys(const v1::RatchetState& in, ratchet_state& out) {
  if (static_cast<std::size_t>(in.skipped_message_keys_size()) > max_skipped_keys) {
    return false;
  }
  for (const v1::SkippedMessageKey& entry : in.skipped_message_keys()) {
    const std::optional<crypto::x25519_public_key> key =
        crypto::decode_x25519_public_key(bytes_of(entry.ratchet_key()));
    if (!key || entry.message_key().size() != symmetric_key_size) {
      return false;
    }
    out.skipped_message_keys.push_back(
        {*key, entry.message_number(), symmetric_key(bytes_of(entry.message_key()))});
  }
  return true;
}

std::optional<ratchet_state> read_ratchet(const v1::RatchetState& in) {
  if (in.root_key().size() != symmetric_key_size ||
      in.sending_ratchet_private_key().size() != crypto::x25519_key_size) {
    return std::nullopt;
  }
  ratchet_state state;
  state.root_key = symmetric_key(bytes_of(in.root_key()));
  state.sending_ratchet_key.private_key =
      crypto::x25519_private_key(bytes_of(in.sending_ratchet_private_key()));
  state.sending_ratchet_key.public_key =
      crypto::x25519_public_from_private(state.sending_ratchet_key.private_key);
  if (!in.receiving_ratchet_key().empty()) {
    state.receiving_ratchet_key =
        crypto::decode_x25519_public_key(bytes_of(in.receiving_ratchet_key()));
    if (!state.receiving_ratchet_key) {
      return std::nullopt;
    }
  }
  if (!read_optional_key(in.sending_chain_key(), state.sending_chain_key) ||
      !read_optional_key(in.receiving_chain_key(), state.receiving_chain_key) ||
      (state.receiving_chain_key && !state.receiving_ratchet_key) ||
      !read_skipped_keys(in, state)) {
    return std::nullopt;
  }
  state.sending_message_number = in.sending_message_number();
  state.receiving_message_number = in.receiving_message_number();
  state.previous_sending_chain_length = in.previous_sending_chain_length();
  return state;
}

bool valid_pending_prekey(const v1::SessionState& in) {
  if (!in.has_pending_prekey()) {
    return true;
  }
  const std::uint32_t registration_id = in.pending_prekey().local_registration_id();
  return in.initiator() && registration_id >= min_registration_id &&
         registration_id <= max_registration_id;
}

}  // namespace

crypto::secret_bytes<> session::serialize() const {
  v1::SessionState proto;
  const state_wiper wiper(proto);
  proto.set_version(state_version);
  proto.set_initiator(initiator_);
  assign_bytes(proto.mutable_local_identity_key(), local_identity_key_);
  assign_bytes(proto.mutable_remote_identity_key(), remote_identity_key_);
  proto.set_remote_registration_id(remote_registration_id_);
  assign_bytes(proto.mutable_base_key(), crypto::encode_x25519_public_key(base_key_));
  write_ratchet(ratchet_, *proto.mutable_ratchet());
  if (pending_prekey_) {
    v1::PendingPrekey* pending = proto.mutable_pending_prekey();
    pending->set_signed_prekey_id(pending_prekey_->signed_prekey_id);
    if (pending_prekey_->one_time_prekey_id) {
      pending->set_one_time_prekey_id(*pending_prekey_->one_time_prekey_id);
    }
    pending->set_local_registration_id(pending_prekey_->local_registration_id);
  }
  // Straight into wiped-on-destruction memory: no plain std::string copy of the keys.
  crypto::secret_bytes<> out(proto.ByteSizeLong());
  proto.SerializeWithCachedSizesToArray(out.data());
  return out;
}

result<session> session::deserialize(std::span<const std::uint8_t> bytes) {
  v1::SessionState proto;
  const state_wiper wiper(proto);
  if (!detail::parse_bytes(proto, bytes) || proto.version() != state_version ||
      !proto.has_ratchet() || !valid_pending_prekey(proto)) {
    return protocol_error::malformed_state;
  }
  const std::optional<crypto::typed_public_key> local_identity =
      crypto::decode_identity_key(bytes_of(proto.local_identity_key()));
  const std::optional<crypto::typed_public_key> remote_identity =
      crypto::decode_identity_key(bytes_of(proto.remote_identity_key()));
  const std::optional<crypto::x25519_public_key> base_key =
      crypto::decode_x25519_public_key(bytes_of(proto.base_key()));
  std::optional<ratchet_state> ratchet = read_ratchet(proto.ratchet());
  // Every stored session has sent or can send: a missing sending chain is corruption.
  if (!local_identity || !remote_identity || !base_key || !ratchet || !ratchet->sending_chain_key) {
    return protocol_error::malformed_state;
  }
  session restored;
  restored.initiator_ = proto.initiator();
  restored.local_identity_key_ = *local_identity;
  restored.remote_identity_key_ = *remote_identity;
  restored.remote_registration_id_ = proto.remote_registration_id();
  restored.base_key_ = *base_key;
  restored.ratchet_ = std::move(*ratchet);
  if (proto.has_pending_prekey()) {
    const v1::PendingPrekey& pending = proto.pending_prekey();
    restored.pending_prekey_ = pending_prekey{pending.signed_prekey_id(),
                                              pending.has_one_time_prekey_id()
                                                  ? std::optional(pending.one_time_prekey_id())
                                                  : std::nullopt,
                                              pending.local_registration_id()};
  }
  return restored;
}

}  // namespace sealpost::client::protocol
