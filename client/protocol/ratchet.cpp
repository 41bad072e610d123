// Double Ratchet: KDF_RK = HKDF-SHA256(salt = RK, ikm = DH output), KDF_CK = HMAC-SHA256
// (0x01 -> message key, 0x02 -> next chain key), ENCRYPT = AES-256-GCM under a key and nonce
// expanded from the message key by HKDF (each message key is used once, so a derived nonce
// is safe).
#include "protocol/ratchet.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>
#include <utility>

#include "crypto/aead.hpp"
#include "crypto/hash.hpp"
#include "crypto/hkdf.hpp"

namespace sealpost::client::protocol {
namespace {

constexpr std::array<std::uint8_t, 1> message_key_constant{0x01};
constexpr std::array<std::uint8_t, 1> chain_key_constant{0x02};

std::span<const std::uint8_t> as_bytes(std::string_view text) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

struct root_step {
  symmetric_key root_key;
  symmetric_key chain_key;
};

struct chain_step {
  symmetric_key chain_key;
  symmetric_key message_key;
};

root_step kdf_rk(const symmetric_key& root_key, const crypto::x25519_shared_secret& dh_output) {
  const crypto::secret_bytes<> okm = crypto::hkdf_sha256(
      dh_output.view(), root_key.view(), as_bytes(ratchet_root_info), 2 * symmetric_key_size);
  return {symmetric_key(okm.view().first(symmetric_key_size)),
          symmetric_key(okm.view().subspan(symmetric_key_size))};
}

chain_step kdf_ck(const symmetric_key& chain_key) {
  return {crypto::hmac_sha256(chain_key.view(), chain_key_constant),
          crypto::hmac_sha256(chain_key.view(), message_key_constant)};
}

struct message_cipher {
  crypto::aead_key key;
  crypto::aead_nonce nonce{};
};

// The AEAD key and nonce for one message key: HKDF(mk, salt = 32 zero bytes, info) split
// 32 | 12, the spec's recommended expansion with GCM in place of CBC + HMAC.
message_cipher expand_message_key(const symmetric_key& message_key) {
  const crypto::secret_bytes<> okm =
      crypto::hkdf_sha256(message_key.view(), {}, as_bytes(ratchet_message_key_info),
                          crypto::aead_key_size + crypto::aead_nonce_size);
  message_cipher cipher;
  cipher.key = crypto::aead_key(okm.view().first(crypto::aead_key_size));
  std::copy_n(okm.view().begin() + crypto::aead_key_size, crypto::aead_nonce_size,
              cipher.nonce.begin());
  return cipher;
}

std::vector<std::uint8_t> full_ad(std::span<const std::uint8_t> ad,
                                  std::span<const std::uint8_t> header_bytes) {
  std::vector<std::uint8_t> out(ad.begin(), ad.end());
  out.insert(out.end(), header_bytes.begin(), header_bytes.end());
  return out;
}

result<crypto::secret_bytes<>> open_message(const symmetric_key& message_key,
                                            const ratchet_message& message,
                                            std::span<const std::uint8_t> ad) {
  const message_cipher cipher = expand_message_key(message_key);
  std::optional<crypto::secret_bytes<>> plaintext = crypto::aes_256_gcm_open(
      cipher.key, cipher.nonce, message.ciphertext, full_ad(ad, message.header_bytes));
  if (!plaintext) {
    return protocol_error::decryption_failed;
  }
  return std::move(*plaintext);
}

// Removes and returns the stored key for (ratchet key, message number), if any.
std::optional<symmetric_key> take_skipped_key(ratchet_state& state, const ratchet_header& header) {
  const auto found =
      std::find_if(state.skipped_message_keys.begin(), state.skipped_message_keys.end(),
                   [&](const skipped_message_key& skipped) {
                     return skipped.message_number == header.message_number &&
                            skipped.ratchet_key == header.ratchet_key;
                   });
  if (found == state.skipped_message_keys.end()) {
    return std::nullopt;
  }
  std::optional<symmetric_key> key(std::move(found->message_key));
  state.skipped_message_keys.erase(found);
  return key;
}

// Stores the receiving chain's keys up to (not including) message `until`.
std::optional<protocol_error> skip_message_keys(ratchet_state& state, std::uint32_t until) {
  if (!state.receiving_chain_key || until <= state.receiving_message_number) {
    return std::nullopt;
  }
  if (until - state.receiving_message_number > max_skip) {
    return protocol_error::too_many_skipped_messages;
  }
  while (state.receiving_message_number < until) {
    chain_step step = kdf_ck(*state.receiving_chain_key);
    state.skipped_message_keys.push_back({*state.receiving_ratchet_key,
                                          state.receiving_message_number,
                                          std::move(step.message_key)});
    state.receiving_chain_key = std::move(step.chain_key);
    ++state.receiving_message_number;
  }
  while (state.skipped_message_keys.size() > max_skipped_keys) {
    state.skipped_message_keys.pop_front();
  }
  return std::nullopt;
}

// The spec's DHRatchet: a new receiving chain from the peer's new key, then a new sending
// key pair and sending chain.
std::optional<protocol_error> dh_ratchet(ratchet_state& state,
                                         const crypto::x25519_public_key& remote_key) {
  state.previous_sending_chain_length = state.sending_message_number;
  state.sending_message_number = 0;
  state.receiving_message_number = 0;
  state.receiving_ratchet_key = remote_key;
  const std::optional<crypto::x25519_shared_secret> receiving_dh =
      crypto::x25519_dh(state.sending_ratchet_key.private_key, remote_key);
  if (!receiving_dh) {
    return protocol_error::invalid_public_key;
  }
  root_step receiving = kdf_rk(state.root_key, *receiving_dh);
  state.receiving_chain_key = std::move(receiving.chain_key);
  state.sending_ratchet_key = crypto::x25519_generate();
  // Our fresh key with a checked peer key cannot give a low-order result.
  const std::optional<crypto::x25519_shared_secret> sending_dh =
      crypto::x25519_dh(state.sending_ratchet_key.private_key, remote_key);
  if (!sending_dh) {
    return protocol_error::invalid_public_key;
  }
  root_step sending = kdf_rk(receiving.root_key, *sending_dh);
  state.root_key = std::move(sending.root_key);
  state.sending_chain_key = std::move(sending.chain_key);
  return std::nullopt;
}

// The spec's RatchetDecrypt on a working copy; the caller commits it only on success.
result<crypto::secret_bytes<>> decrypt_in_place(ratchet_state& state,
                                                const ratchet_message& message,
                                                std::span<const std::uint8_t> ad) {
  const ratchet_header& header = message.header;
  if (std::optional<symmetric_key> skipped = take_skipped_key(state, header)) {
    return open_message(*skipped, message, ad);
  }
  if (state.receiving_ratchet_key != header.ratchet_key) {
    if (auto error = skip_message_keys(state, header.previous_chain_length)) {
      return *error;
    }
    if (auto error = dh_ratchet(state, header.ratchet_key)) {
      return *error;
    }
  } else if (header.message_number < state.receiving_message_number) {
    // Its key was used and wiped already (or stored as skipped, then used or evicted).
    return protocol_error::duplicate_message;
  }
  if (auto error = skip_message_keys(state, header.message_number)) {
    return *error;
  }
  if (!state.receiving_chain_key) {
    // The header names the responder's signed prekey, which never sends: a forgery.
    return protocol_error::decryption_failed;
  }
  chain_step step = kdf_ck(*state.receiving_chain_key);
  state.receiving_chain_key = std::move(step.chain_key);
  ++state.receiving_message_number;
  return open_message(step.message_key, message, ad);
}

}  // namespace

result<ratchet_state> ratchet_init_initiator(const shared_secret& secret,
                                             const crypto::x25519_public_key& remote_ratchet_key) {
  ratchet_state state;
  state.sending_ratchet_key = crypto::x25519_generate();
  state.receiving_ratchet_key = remote_ratchet_key;
  const std::optional<crypto::x25519_shared_secret> dh =
      crypto::x25519_dh(state.sending_ratchet_key.private_key, remote_ratchet_key);
  if (!dh) {
    return protocol_error::invalid_public_key;
  }
  root_step step = kdf_rk(symmetric_key(secret.view()), *dh);
  state.root_key = std::move(step.root_key);
  state.sending_chain_key = std::move(step.chain_key);
  return state;
}

ratchet_state ratchet_init_responder(const shared_secret& secret,
                                     const crypto::x25519_key_pair& signed_prekey) {
  ratchet_state state;
  state.root_key = symmetric_key(secret.view());
  state.sending_ratchet_key = signed_prekey;
  return state;
}

std::vector<std::uint8_t> ratchet_encrypt(ratchet_state& state,
                                          std::span<const std::uint8_t> plaintext,
                                          std::span<const std::uint8_t> ad) {
  if (!state.sending_chain_key) {
    throw std::logic_error("ratchet_encrypt: no sending chain yet");
  }
  if (state.sending_message_number == std::numeric_limits<std::uint32_t>::max()) {
    throw std::overflow_error("ratchet_encrypt: sending chain exhausted");
  }
  chain_step step = kdf_ck(*state.sending_chain_key);
  const std::vector<std::uint8_t> header_bytes =
      encode_ratchet_header({state.sending_ratchet_key.public_key,
                             state.previous_sending_chain_length, state.sending_message_number});
  const message_cipher cipher = expand_message_key(step.message_key);
  const std::vector<std::uint8_t> ciphertext =
      crypto::aes_256_gcm_seal(cipher.key, cipher.nonce, plaintext, full_ad(ad, header_bytes));
  state.sending_chain_key = std::move(step.chain_key);
  ++state.sending_message_number;
  return encode_ratchet_message(header_bytes, ciphertext);
}

result<crypto::secret_bytes<>> ratchet_decrypt(ratchet_state& state, const ratchet_message& message,
                                               std::span<const std::uint8_t> ad) {
  ratchet_state working = state;
  result<crypto::secret_bytes<>> plaintext = decrypt_in_place(working, message, ad);
  if (plaintext) {
    state = std::move(working);
  }
  return plaintext;
}

}  // namespace sealpost::client::protocol
