// Signed prekey records and the in-memory prekey store.
#include "protocol/prekey.hpp"

#include <utility>

#include "crypto/key_encoding.hpp"

namespace sealpost::client::protocol {
namespace {

const crypto::x25519_key_pair* find_in(const std::map<std::uint32_t, crypto::x25519_key_pair>& keys,
                                       std::uint32_t key_id) {
  const auto found = keys.find(key_id);
  return found == keys.end() ? nullptr : &found->second;
}

}  // namespace

signed_prekey_public make_signed_prekey(const crypto::identity_key_pair& identity,
                                        std::uint32_t key_id,
                                        const crypto::x25519_public_key& public_key) {
  const crypto::typed_public_key typed = crypto::encode_x25519_public_key(public_key);
  const crypto::ed25519_signature signature = crypto::identity_sign(identity, typed);
  return {key_id, {typed.begin(), typed.end()}, {signature.begin(), signature.end()}};
}

void in_memory_prekey_store::add_signed_prekey(std::uint32_t key_id,
                                               crypto::x25519_key_pair key_pair) {
  signed_prekeys_.insert_or_assign(key_id, std::move(key_pair));
}

void in_memory_prekey_store::add_one_time_prekey(std::uint32_t key_id,
                                                 crypto::x25519_key_pair key_pair) {
  one_time_prekeys_.insert_or_assign(key_id, std::move(key_pair));
}

const crypto::x25519_key_pair* in_memory_prekey_store::find_signed_prekey(
    std::uint32_t key_id) const {
  return find_in(signed_prekeys_, key_id);
}

const crypto::x25519_key_pair* in_memory_prekey_store::find_one_time_prekey(
    std::uint32_t key_id) const {
  return find_in(one_time_prekeys_, key_id);
}

void in_memory_prekey_store::remove_one_time_prekey(std::uint32_t key_id) {
  one_time_prekeys_.erase(key_id);
}

}  // namespace sealpost::client::protocol
