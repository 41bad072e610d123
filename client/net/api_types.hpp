// The typed values of the Sealpost REST API and WebSocket frames, as the client sees them
// (bytes already base64-decoded, ids as numbers, guids as 16 raw bytes).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "keytrans/kt_proof.hpp"
#include "keytrans/response_check.hpp"

namespace sealpost::client::net {

using byte_vector = std::vector<std::uint8_t>;

// A server-assigned envelope id: the 16 bytes of a UUID.
using guid = std::array<std::uint8_t, 16>;

// Canonical lowercase UUID text of a guid, and back (nullopt unless canonical).
std::string guid_to_text(const guid& id);
[[nodiscard]] std::optional<guid> guid_from_text(std::string_view text) noexcept;

// True for a canonical lowercase UUID (the only account id form the server uses).
[[nodiscard]] bool is_canonical_uuid(std::string_view text) noexcept;

// One device's credentials: HTTP Basic "<account_id>.<device_id>:<password>".
struct device_login {
  std::string account_id;
  std::uint32_t device_id = 0;
  std::string password;
};

struct signed_key {
  std::uint32_t key_id = 0;
  byte_vector public_key;
  byte_vector signature;
};

struct one_time_key {
  std::uint32_t key_id = 0;
  byte_vector public_key;
};

// The key fields shared by registration, linking and PUT /v1/keys (PQ keys are not used).
struct key_upload {
  std::optional<signed_key> signed_prekey;
  std::vector<one_time_key> one_time_prekeys;
};

// POST /v1/accounts (with a username) or POST /v1/devices (with a link token).
struct new_device_request {
  std::string password;
  std::uint32_t registration_id = 0;
  byte_vector identity_key;  // typed, 33 bytes
  signed_key signed_prekey;
  std::vector<one_time_key> one_time_prekeys;
  // Registration only: the account's unidentified access key (16 bytes), if any.
  std::optional<byte_vector> unidentified_access_key;
};

// GET /v1/certificate/delivery: a serialized SenderCertificate and its expiry.
struct delivery_certificate {
  byte_vector certificate;
  std::uint64_t expires_at_ms = 0;
};

// GET /v1/accounts/me/unidentified-access (the key itself is never returned).
struct unidentified_access {
  bool key_set = false;
  bool unrestricted = false;
};

struct registered_device {
  std::string account_id;
  std::uint32_t device_id = 0;
};

struct link_token {
  std::string token;
  std::int64_t expires_at_ms = 0;
};

struct device_entry {
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  byte_vector identity_key;
};

struct key_status {
  std::uint32_t one_time_prekeys = 0;
  std::uint32_t pq_one_time_prekeys = 0;
  std::optional<std::uint32_t> signed_prekey_id;
};

// One device's entry of GET /v1/keys/{account_id}/{device_id|*}.
struct device_bundle {
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  byte_vector identity_key;
  signed_key signed_prekey;
  std::optional<one_time_key> one_time_prekey;
};

struct outgoing_envelope {
  std::uint32_t device_id = 0;
  std::uint32_t registration_id = 0;
  std::uint32_t type = 0;
  byte_vector content;
};

struct send_result {
  std::int64_t server_timestamp = 0;
  std::vector<std::pair<std::uint32_t, guid>> guids;  // (device id, envelope guid)
};

// A queued envelope, from the WebSocket or from GET /v1/messages.
// Envelope types the client reads (DESIGN.md): its own prekey and ratchet messages, and
// sealed-sender messages, whose source is inside the ciphertext.
inline constexpr std::uint32_t unidentified_sender_type = 6;

struct envelope {
  net::guid guid{};
  std::string source_account;       // empty for a sealed-sender envelope
  std::uint32_t source_device = 0;  // 0 for a sealed-sender envelope
  std::uint32_t destination_device = 0;
  std::uint32_t type = 0;
  byte_vector content;
  std::uint64_t client_timestamp = 0;
  std::uint64_t server_timestamp = 0;
};

struct poll_result {
  std::vector<envelope> envelopes;
  bool more = false;
};

// The ServerFrame kinds of the WebSocket.
struct queue_empty {};
struct keys_low {
  std::uint32_t one_time_prekeys = 0;
  std::uint32_t pq_one_time_prekeys = 0;
};
using server_frame = std::variant<envelope, queue_empty, keys_low>;

// GET /v1/kt/config: the key-transparency log's configuration, as a client pins it.
struct kt_config {
  byte_vector configuration;  // the Configuration bytes every head signs
  byte_vector signature_public_key;
  byte_vector vrf_public_key;
  std::uint64_t max_ahead_ms = 0;
  std::uint64_t max_behind_ms = 0;
  std::uint64_t reasonable_monitoring_window_ms = 0;
  std::uint64_t batch_interval_ms = 0;
};

// A key-transparency answer: the decoded proof, and the answer as it came (kept as evidence
// when it conflicts with what the device saw before).
struct kt_head_answer {
  keytrans::kt_proof proof;
  std::string body;
};
struct kt_search_answer {
  keytrans::kt_search_response response;
  std::string body;
};
struct kt_monitor_answer {
  keytrans::kt_monitor_response response;
  std::string body;
};
struct kt_owner_answer {
  keytrans::kt_owner_response response;
  std::string body;
};

// The label a search or monitoring request is about: an account (by id) or a username.
struct kt_subject {
  enum class kind : std::uint8_t { account, username };
  kind type = kind::account;
  std::string name;  // the account id, or the username
};

}  // namespace sealpost::client::net
