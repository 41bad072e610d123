// Access-key derivation over the AES-256-GCM wrapper of aead.hpp.
#include "crypto/access_key.hpp"

#include <openssl/crypto.h>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/aead.hpp"
#include "crypto/random.hpp"

namespace sealpost::client::crypto {

static_assert(profile_key_size == aead_key_size);

profile_key generate_profile_key() {
  return random_secret<profile_key_size>();
}

access_key derive_access_key(const profile_key& key) {
  static constexpr aead_nonce zero_nonce{};
  static constexpr std::array<std::uint8_t, access_key_size> zero_block{};
  const aead_key gcm_key(key.view());
  // ciphertext (16) || tag (16); only the ciphertext is the access key.
  std::vector<std::uint8_t> sealed = aes_256_gcm_seal(gcm_key, zero_nonce, zero_block, {});
  access_key derived(std::span<const std::uint8_t>(sealed).first(access_key_size));
  OPENSSL_cleanse(sealed.data(), sealed.size());
  return derived;
}

}  // namespace sealpost::client::crypto
