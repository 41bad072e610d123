// Test identities signed with real identity keys (XEdDSA-compatible 0x05, or Ed25519 0x0E).
#include "test_identity.hpp"

#include <openssl/evp.h>

#include "crypto/key_encoding.hpp"
#include "crypto/random.hpp"
#include "crypto/x25519.hpp"

namespace sealpost::testing {

namespace cc = client::crypto;

std::string b64(std::span<const std::uint8_t> raw) {
  std::string out(4 * ((raw.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), raw.data(),
                                static_cast<int>(raw.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string b64(const std::string& raw) {
  return b64(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()));
}

namespace {

std::string as_string(std::span<const std::uint8_t> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::string fresh_x25519_public() {
  auto pair = cc::x25519_generate();
  return as_string(cc::encode_x25519_public_key(pair.public_key));
}

}  // namespace

test_identity::test_identity(cc::identity_form form)
    : key_(cc::identity_from_seed(cc::generate_identity().seed, form)),
      identity_key_(as_string(key_.public_key)) {}

std::string test_identity::sign(const std::string& message) const {
  auto sig = cc::identity_sign(
      key_, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(message.data()),
                                          message.size()));
  return as_string(sig);
}

boost::json::object test_identity::signed_prekey(std::uint32_t key_id) const {
  const auto pub = fresh_x25519_public();
  return {{"key_id", key_id}, {"public_key", b64(pub)}, {"signature", b64(sign(pub))}};
}

boost::json::array test_identity::one_time_prekeys(std::uint32_t first, std::size_t count) const {
  boost::json::array keys;
  for (std::size_t i = 0; i < count; ++i) {
    keys.push_back({{"key_id", first + i}, {"public_key", b64(fresh_x25519_public())}});
  }
  return keys;
}

boost::json::object test_identity::pq_prekey(std::uint32_t key_id) const {
  auto material = cc::random_bytes(1568);
  std::string pub = "\x08" + as_string(material);
  return {{"key_id", key_id}, {"public_key", b64(pub)}, {"signature", b64(sign(pub))}};
}

boost::json::array test_identity::pq_one_time_prekeys(std::uint32_t first,
                                                      std::size_t count) const {
  boost::json::array keys;
  for (std::size_t i = 0; i < count; ++i)
    keys.push_back(pq_prekey(first + static_cast<std::uint32_t>(i)));
  return keys;
}

boost::json::object test_identity::registration(const std::string& username,
                                                const std::string& password,
                                                std::size_t one_time_keys) const {
  return {{"username", username},
          {"password", password},
          {"registration_id", 1234},
          {"identity_key", b64(identity_key_)},
          {"signed_prekey", signed_prekey(1)},
          {"pq_last_resort_prekey", pq_prekey(1000)},
          {"one_time_prekeys", one_time_prekeys(1, one_time_keys)},
          {"pq_one_time_prekeys", pq_one_time_prekeys(1, one_time_keys)}};
}

std::string basic_auth(const std::string& account_id, std::int32_t device_id,
                       const std::string& password) {
  return "Basic " + b64(account_id + "." + std::to_string(device_id) + ":" + password);
}

std::string random_password() {
  auto bytes = cc::random_bytes(24);
  return b64(bytes);
}

}  // namespace sealpost::testing
