// Signed tree heads (draft-ietf-keytrans-protocol §11.2-§11.4): the log's Configuration, the
// TreeHeadTBS every head signs, the wire TreeHead / AuditorTreeHead / FullTreeHead, and the
// suite's ECDSA P-256 / SHA-256 signatures as raw r || s (KT_128_SHA256_P256, §17.1).
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "keytrans/tls_codec.hpp"
#include "xeddsa/openssl_check.hpp"

namespace sealpost::keytrans {

// CipherSuite KT_128_SHA256_P256.
inline constexpr std::uint16_t cipher_suite_kt_128_sha256_p256 = 0x0001;

// DeploymentMode. Sealpost's log runs in contact_monitoring; the others exist for the vectors
// and for a later third party.
enum class deployment_mode : std::uint8_t {
  contact_monitoring = 1,
  third_party_management = 2,
  third_party_auditing = 3,
};

// Configuration. Fields of a mode other than `mode` are not encoded.
struct configuration {
  std::uint16_t cipher_suite = cipher_suite_kt_128_sha256_p256;
  deployment_mode mode = deployment_mode::contact_monitoring;
  bytes signature_public_key;
  bytes vrf_public_key;
  bytes leaf_public_key;                // third_party_management only
  std::uint64_t max_auditor_lag = 0;    // third_party_auditing only
  std::uint64_t auditor_start_pos = 0;  // third_party_auditing only
  bytes auditor_public_key;             // third_party_auditing only
  std::uint64_t max_ahead = 0;          // all durations in milliseconds
  std::uint64_t max_behind = 0;
  std::uint64_t reasonable_monitoring_window = 0;
  std::optional<std::uint64_t> maximum_lifetime;  // absent in stage 1
};

inline constexpr std::size_t tree_root_size = 32;  // Hash.Nh
using tree_root = std::array<std::uint8_t, tree_root_size>;

// TreeHead.
struct tree_head {
  std::uint64_t tree_size = 0;
  bytes signature;
  friend bool operator==(const tree_head&, const tree_head&) = default;
};

// AuditorTreeHead.
struct auditor_tree_head {
  std::uint64_t timestamp = 0;
  std::uint64_t tree_size = 0;
  bytes signature;
  friend bool operator==(const auditor_tree_head&, const auditor_tree_head&) = default;
};

// FullTreeHeadType.
enum class full_tree_head_type : std::uint8_t { same = 1, updated = 2 };

// FullTreeHead: `head` present exactly when updated; `auditor_head` exactly when updated under
// third_party_auditing.
struct full_tree_head {
  full_tree_head_type type = full_tree_head_type::same;
  std::optional<tree_head> head;
  std::optional<auditor_tree_head> auditor_head;
  friend bool operator==(const full_tree_head&, const full_tree_head&) = default;
};

// The encoded Configuration; nullopt for an unknown mode or a key longer than 65535 bytes.
std::optional<bytes> encode_configuration(const configuration& config);

// The Configuration of `encoded`; nullopt unless it is exactly one well-formed Configuration
// (a known mode, its fields, a 0/1 presence byte for maximum_lifetime). Re-encoding the result
// gives `encoded` back.
std::optional<configuration> decode_configuration(std::span<const std::uint8_t> encoded);

// TreeHeadTBS {config, tree_size, root}, from the encoded Configuration (the log pins and signs
// those bytes, so they are taken as they are).
bytes encode_tree_head_tbs(std::span<const std::uint8_t> encoded_configuration,
                           std::uint64_t tree_size, const tree_root& root);
// AuditorTreeHeadTBS {config, timestamp, tree_size, root}.
bytes encode_auditor_tree_head_tbs(std::span<const std::uint8_t> encoded_configuration,
                                   std::uint64_t timestamp, std::uint64_t tree_size,
                                   const tree_root& root);

// The wire encodings; nullopt when a signature is longer than 65535 bytes, or for a
// full_tree_head whose optional parts do not match its type and `mode`.
std::optional<bytes> encode_tree_head(const tree_head& head);
std::optional<bytes> encode_auditor_tree_head(const auditor_tree_head& head);
std::optional<bytes> encode_full_tree_head(const full_tree_head& head, deployment_mode mode);
// nullopt unless `encoded` is exactly one well-formed FullTreeHead for `mode`.
std::optional<full_tree_head> decode_full_tree_head(std::span<const std::uint8_t> encoded,
                                                    deployment_mode mode);

// ECDSA P-256 with SHA-256, the suite's signature scheme.
inline constexpr std::size_t p256_public_key_size = 65;  // SEC1 uncompressed: 0x04 || x || y
inline constexpr std::size_t p256_signature_size = 64;   // r || s, each 32 bytes big-endian
using p256_public_key = std::array<std::uint8_t, p256_public_key_size>;
using p256_signature = std::array<std::uint8_t, p256_signature_size>;

// A fresh P-256 signing key. Throws std::runtime_error when OpenSSL fails.
ossl::pkey_ptr generate_p256_signing_key();
// The SEC1 uncompressed public key of a P-256 key. Throws std::invalid_argument when `key` is
// not a P-256 key, std::runtime_error when OpenSSL fails.
p256_public_key p256_public_key_of(const EVP_PKEY& key);
// Signs `message` (hashed with SHA-256 here) and returns r || s. Throws std::invalid_argument
// when `key` is not a P-256 key, std::runtime_error when OpenSSL fails.
p256_signature p256_sign(EVP_PKEY& key, std::span<const std::uint8_t> message);
// True when `signature` is a valid r || s over `message` under `public_key` (SEC1 uncompressed).
// False, never a throw, for anything from the wire that is not: a key of another length or form
// or off the curve, a signature of any length but 64, r or s = 0 or >= n.
bool p256_verify(std::span<const std::uint8_t> public_key, std::span<const std::uint8_t> message,
                 std::span<const std::uint8_t> signature);

}  // namespace sealpost::keytrans
