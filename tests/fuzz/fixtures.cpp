// Fixed keys and sessions for the client-side fuzz targets; see fixtures.hpp.
#include "fixtures.hpp"

#include <stdexcept>

#include "crypto/key_encoding.hpp"
#include "fuzz_check.hpp"
#include "protocol/detail/proto_bytes.hpp"
#include "sealpost/v1/client.pb.h"

namespace sealpost::fuzz {

std::vector<std::uint8_t> fixed_bytes(std::uint8_t tag) {
  std::vector<std::uint8_t> out(32);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::uint8_t>(tag ^ (i * 29 + 7));
  }
  return out;
}

ccrypto::ed25519_key_pair fixed_ed25519(std::uint8_t tag) {
  ccrypto::ed25519_key_pair pair;
  pair.seed = ccrypto::ed25519_seed(fixed_bytes(tag));
  pair.public_key = ccrypto::ed25519_public_from_seed(pair.seed);
  return pair;
}

ccrypto::identity_key_pair fixed_identity(std::uint8_t tag) {
  return ccrypto::identity_from_seed(ccrypto::ed25519_seed(fixed_bytes(tag)),
                                     ccrypto::identity_form::curve25519);
}

ccrypto::x25519_key_pair fixed_x25519(std::uint8_t tag) {
  ccrypto::x25519_key_pair pair;
  pair.private_key = ccrypto::x25519_private_key(fixed_bytes(tag));
  pair.public_key = ccrypto::x25519_public_from_private(pair.private_key);
  return pair;
}

std::string stored_identity_key() {
  const auto typed =
      ccrypto::encode_ed25519_public_key(fixed_ed25519(stored_identity_tag).public_key);
  return {typed.begin(), typed.end()};
}

protocol::local_identity alice_identity() {
  return {fixed_identity(alice_tag), alice_registration_id};
}

protocol::local_identity bob_identity() {
  return {fixed_identity(bob_tag), bob_registration_id};
}

protocol::in_memory_prekey_store bob_prekeys() {
  protocol::in_memory_prekey_store store;
  store.add_signed_prekey(bob_signed_prekey_id, fixed_x25519(bob_tag + 1));
  for (const std::uint32_t id : bob_one_time_prekey_ids) {
    store.add_one_time_prekey(id, fixed_x25519(static_cast<std::uint8_t>(bob_tag + id)));
  }
  return store;
}

protocol::prekey_bundle bob_bundle(bool with_one_time_prekey) {
  const auto bob = bob_identity();
  protocol::prekey_bundle bundle;
  bundle.registration_id = bob.registration_id;
  const auto& identity = bob.identity_key.public_key;
  bundle.identity_key.assign(identity.begin(), identity.end());
  bundle.signed_prekey = protocol::make_signed_prekey(bob.identity_key, bob_signed_prekey_id,
                                                      fixed_x25519(bob_tag + 1).public_key);
  if (with_one_time_prekey) {
    const std::uint32_t id = bob_one_time_prekey_ids[0];
    const auto key = ccrypto::encode_x25519_public_key(
        fixed_x25519(static_cast<std::uint8_t>(bob_tag + id)).public_key);
    bundle.one_time_prekey = protocol::one_time_prekey_public{id, {key.begin(), key.end()}};
  }
  return bundle;
}

protocol::symmetric_key bob_session_root_key() {
  return protocol::symmetric_key(fixed_bytes(0xC0));
}

ccrypto::x25519_key_pair bob_session_ratchet_key() {
  return fixed_x25519(0xC1);
}

ccrypto::x25519_public_key bob_session_base_key() {
  return fixed_x25519(0xC2).public_key;
}

protocol::session bob_session() {
  using protocol::detail::assign_bytes;
  sealpost::v1::SessionState state;
  state.set_version(1);
  state.set_initiator(false);
  assign_bytes(state.mutable_local_identity_key(), bob_identity().identity_key.public_key);
  assign_bytes(state.mutable_remote_identity_key(), alice_identity().identity_key.public_key);
  state.set_remote_registration_id(alice_registration_id);
  assign_bytes(state.mutable_base_key(), ccrypto::encode_x25519_public_key(bob_session_base_key()));
  sealpost::v1::RatchetState* ratchet = state.mutable_ratchet();
  assign_bytes(ratchet->mutable_root_key(), bob_session_root_key().view());
  assign_bytes(ratchet->mutable_sending_ratchet_private_key(),
               bob_session_ratchet_key().private_key.view());
  assign_bytes(ratchet->mutable_sending_chain_key(), fixed_bytes(0xC3));
  ratchet->set_sending_message_number(3);
  // A message key left over from an older chain of Alice's.
  sealpost::v1::SkippedMessageKey* skipped = ratchet->add_skipped_message_keys();
  assign_bytes(skipped->mutable_ratchet_key(),
               ccrypto::encode_x25519_public_key(fixed_x25519(0xC4).public_key));
  skipped->set_message_number(5);
  assign_bytes(skipped->mutable_message_key(), fixed_bytes(0xC5));
  const std::vector<std::uint8_t> bytes = protocol::detail::serialize_bytes(state);
  auto session = protocol::session::deserialize(bytes);
  if (!session) {
    throw std::logic_error("fuzz fixtures: Bob's session does not deserialize");
  }
  return std::move(*session);
}

}  // namespace sealpost::fuzz
