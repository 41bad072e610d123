// A device identity for tests, made with the reference client's crypto: an identity key (the
// 0x05 form by default, or 0x0E, which the server still accepts), a signed X25519 prekey,
// one-time prekeys and signed KEM-shaped prekeys.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "crypto/identity_key.hpp"

namespace sealpost::testing {

std::string b64(const std::string& raw);
std::string b64(std::span<const std::uint8_t> raw);

class test_identity {
 public:
  explicit test_identity(
      client::crypto::identity_form form = client::crypto::identity_form::curve25519);

  const std::string& identity_key() const { return identity_key_; }  // 33 raw bytes
  std::string sign(const std::string& message) const;

  // {"key_id", "public_key", "signature"} for a fresh X25519 prekey signed by this identity.
  boost::json::object signed_prekey(std::uint32_t key_id) const;
  // {"key_id", "public_key"} for fresh X25519 one-time prekeys [first, first+count).
  boost::json::array one_time_prekeys(std::uint32_t first, std::size_t count) const;
  // A signed KEM-shaped prekey (type 0x08, 1569 bytes of random key material).
  boost::json::object pq_prekey(std::uint32_t key_id) const;
  boost::json::array pq_one_time_prekeys(std::uint32_t first, std::size_t count) const;

  // A complete registration / link body.
  boost::json::object registration(const std::string& username, const std::string& password,
                                   std::size_t one_time_keys = 5) const;

 private:
  client::crypto::identity_key_pair key_;
  std::string identity_key_;
};

// "Basic base64(<account>.<device>:<password>)"
std::string basic_auth(const std::string& account_id, std::int32_t device_id,
                       const std::string& password);

// A random 32-character password.
std::string random_password();

}  // namespace sealpost::testing
