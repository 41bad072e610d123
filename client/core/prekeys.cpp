// Prekey upkeep: generation, signing, the server's pool and signed-prekey rotation.
#include "core/prekeys.hpp"

#include <algorithm>

#include "core/clock.hpp"
#include "crypto/x25519.hpp"
#include "protocol/prekey.hpp"

namespace sealpost::client {
namespace {

constexpr std::size_t local_one_time_prekey_limit = 2000;
constexpr std::size_t kept_signed_prekeys = 3;
constexpr std::uint64_t signed_prekey_lifetime_ms = 7ULL * 24 * 3600 * 1000;

// A new signed prekey when the server has another one or ours is a week old; older ones
// stay a while, since prekey messages made with them may be in flight.
std::optional<net::signed_key> rotate_signed_prekey(local_state& state,
                                                    const net::key_status& status) {
  const stored_prekey& current = state.signed_prekeys.back();
  if (status.signed_prekey_id && *status.signed_prekey_id == current.key_id &&
      now_ms() - current.created_at_ms <= signed_prekey_lifetime_ms) {
    return std::nullopt;
  }
  state.signed_prekeys.push_back(new_prekey(state.next_signed_prekey_id++));
  while (state.signed_prekeys.size() > kept_signed_prekeys) {
    state.signed_prekeys.erase(state.signed_prekeys.begin());
  }
  return signed_public(state, state.signed_prekeys.back());
}

}  // namespace

stored_prekey new_prekey(std::uint32_t key_id) {
  stored_prekey key;
  key.key_id = key_id;
  key.key_pair = crypto::x25519_generate();
  key.created_at_ms = now_ms();
  return key;
}

net::signed_key signed_public(const local_state& state, const stored_prekey& key) {
  protocol::signed_prekey_public signed_key = protocol::make_signed_prekey(
      state.identity.identity_key, key.key_id, key.key_pair.public_key);
  return {key.key_id, std::move(signed_key.public_key), std::move(signed_key.signature)};
}

std::vector<net::one_time_key> add_one_time_prekeys(local_state& state, std::size_t count) {
  std::vector<net::one_time_key> keys;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint32_t id = state.next_one_time_prekey_id++;
    stored_prekey key = new_prekey(id);
    const crypto::typed_public_key typed =
        crypto::encode_x25519_public_key(key.key_pair.public_key);
    keys.push_back({id, net::byte_vector(typed.begin(), typed.end())});
    state.one_time_prekeys.insert_or_assign(id, std::move(key));
  }
  // Keys the server handed out long ago and nobody used: keep a bounded number.
  while (state.one_time_prekeys.size() > local_one_time_prekey_limit) {
    state.one_time_prekeys.erase(state.one_time_prekeys.begin());
  }
  return keys;
}

std::size_t refill_threshold(const messenger_config& config) {
  return std::max<std::size_t>(1, config.one_time_prekey_target / 2);
}

std::size_t replenish_prekeys(state_store& store, net::api_client& api) {
  local_state& state = store.state();
  const messenger_config& config = store.config();
  const net::key_status status = api.get_key_status();
  net::key_upload upload;
  upload.signed_prekey = rotate_signed_prekey(state, status);
  std::size_t count = 0;
  if (status.one_time_prekeys < refill_threshold(config)) {
    count = std::min<std::size_t>(config.one_time_prekey_target - status.one_time_prekeys,
                                  max_prekeys_per_upload);
    upload.one_time_prekeys = add_one_time_prekeys(state, count);
  }
  if (upload.signed_prekey || !upload.one_time_prekeys.empty()) {
    store.save();  // private halves first: the server must never hand out a key we lack
    api.upload_keys(upload);
  }
  return count;
}

}  // namespace sealpost::client
