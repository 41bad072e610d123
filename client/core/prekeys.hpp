// Prekey upkeep: making signed and one-time prekeys (private halves in the state, public
// halves for the server), topping up the server's pool and rotating the signed prekey.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/local_state.hpp"
#include "core/messenger.hpp"
#include "core/state_store.hpp"
#include "net/api_client.hpp"

namespace sealpost::client {

inline constexpr std::size_t max_prekeys_per_upload = 100;

// A new X25519 prekey with `key_id`, created now.
[[nodiscard]] stored_prekey new_prekey(std::uint32_t key_id);

// The public half of `key`, signed with the device's identity key.
[[nodiscard]] net::signed_key signed_public(const local_state& state, const stored_prekey& key);

// Makes `count` one-time prekeys, keeps their private halves (a bounded number of them)
// and returns the public halves to upload.
std::vector<net::one_time_key> add_one_time_prekeys(local_state& state, std::size_t count);

// Below this many one-time prekeys on the server, the pool is topped up: half the target,
// so that it is refilled once half used rather than after every claim.
[[nodiscard]] std::size_t refill_threshold(const messenger_config& config);

// messenger::replenish_prekeys, inside a transaction: the private halves are saved before
// the server hears of the public ones. Returns the number of one-time prekeys uploaded.
std::size_t replenish_prekeys(state_store& store, net::api_client& api);

}  // namespace sealpost::client
