// A device's own identity, the prekey bundle fetched for a peer, and the store of our own
// prekey private keys that the responder side of X3DH reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "crypto/identity_key.hpp"
#include "crypto/x25519.hpp"

namespace sealpost::client::protocol {

// The range DESIGN.md allows for a device's registration id.
inline constexpr std::uint32_t min_registration_id = 1;
inline constexpr std::uint32_t max_registration_id = 16380;

// This device's long-term identity: its identity key (0x05 form, or 0x0E for older state
// files) and its registration id.
struct local_identity {
  crypto::identity_key_pair identity_key;
  std::uint32_t registration_id = 0;
};

// The public halves as the server hands them out (already base64-decoded). The bytes are
// untrusted: session::initiate checks every one of them.
struct signed_prekey_public {
  std::uint32_t key_id = 0;
  std::vector<std::uint8_t> public_key;  // 0x05 || 32 bytes
  std::vector<std::uint8_t> signature;   // by the identity key over public_key
};

struct one_time_prekey_public {
  std::uint32_t key_id = 0;
  std::vector<std::uint8_t> public_key;  // 0x05 || 32 bytes
};

// One device's entry of GET /v1/keys/{account_id}/{device_id}. PQ prekeys are not used.
struct prekey_bundle {
  std::uint32_t registration_id = 0;
  std::vector<std::uint8_t> identity_key;  // 0x05 or 0x0E || 32 bytes
  signed_prekey_public signed_prekey;
  std::optional<one_time_prekey_public> one_time_prekey;
};

// The signed prekey record to upload: `public_key` typed 0x05 and signed, type byte included,
// by `identity`. Throws crypto_error on internal failure.
signed_prekey_public make_signed_prekey(const crypto::identity_key_pair& identity,
                                        std::uint32_t key_id,
                                        const crypto::x25519_public_key& public_key);

// Our own prekey private keys, looked up by the ids a prekey message names.
class prekey_store {
 public:
  virtual ~prekey_store() = default;

  // The key pair with `key_id`, or null when unknown. A pointer stays valid until the store
  // is next modified.
  [[nodiscard]] virtual const crypto::x25519_key_pair* find_signed_prekey(
      std::uint32_t key_id) const = 0;
  [[nodiscard]] virtual const crypto::x25519_key_pair* find_one_time_prekey(
      std::uint32_t key_id) const = 0;

  // Forgets a one-time prekey for good (a no-op when unknown). session::accept calls it only
  // after the prekey message authenticated, so forged messages cannot burn our prekeys.
  virtual void remove_one_time_prekey(std::uint32_t key_id) = 0;
};

// A prekey_store in memory, for tests and for a client that persists it by other means.
class in_memory_prekey_store final : public prekey_store {
 public:
  // Adds or replaces the key with `key_id`.
  void add_signed_prekey(std::uint32_t key_id, crypto::x25519_key_pair key_pair);
  void add_one_time_prekey(std::uint32_t key_id, crypto::x25519_key_pair key_pair);

  [[nodiscard]] const crypto::x25519_key_pair* find_signed_prekey(
      std::uint32_t key_id) const override;
  [[nodiscard]] const crypto::x25519_key_pair* find_one_time_prekey(
      std::uint32_t key_id) const override;
  void remove_one_time_prekey(std::uint32_t key_id) override;

  [[nodiscard]] std::size_t one_time_prekey_count() const noexcept {
    return one_time_prekeys_.size();
  }

 private:
  std::map<std::uint32_t, crypto::x25519_key_pair> signed_prekeys_;
  std::map<std::uint32_t, crypto::x25519_key_pair> one_time_prekeys_;
};

}  // namespace sealpost::client::protocol
