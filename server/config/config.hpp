// The server's typed configuration: loaded once from a TOML file plus SEALPOST_* overrides.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/ip_network.hpp"

namespace sealpost::config {

struct listen_address {
  std::string host;
  std::uint16_t port = 0;

  std::string to_string() const;
};

// Every field here is a documented key in config/sealpost.toml; defaults live in one place,
// the key table in config.cpp.
struct server_config {
  listen_address listen;
  listen_address admin_listen;
  std::uint64_t threads = 0;
  std::string log_level;

  std::string database_url;
  std::uint64_t database_pool_size = 0;
  std::uint64_t database_connect_timeout_ms = 0;
  std::uint64_t database_statement_timeout_ms = 0;

  std::uint64_t http_max_header_bytes = 0;
  std::uint64_t http_max_body_bytes = 0;
  std::uint64_t http_idle_timeout_ms = 0;
  std::uint64_t http_read_timeout_ms = 0;
  std::uint64_t http_write_timeout_ms = 0;
  std::uint64_t http_max_connections = 0;
  std::uint64_t http_max_connections_per_ip = 0;
  std::uint64_t http_max_body_bytes_in_flight = 0;
  std::string http_trusted_proxies;               // as written: "addr[/len], ..."
  std::vector<util::ip_network> trusted_proxies;  // the same, parsed at load
  std::uint64_t shutdown_grace_ms = 0;

  std::string tls_certificate_file;
  std::string tls_private_key_file;

  // [sealed_sender]: the three files, or none of them (auto mode: keys in the database).
  bool sealed_sender_enabled = true;
  std::string sealed_sender_trust_root_file;
  std::string sealed_sender_server_certificate_file;
  std::string sealed_sender_server_key_file;
  std::uint64_t sealed_sender_certificate_ttl_ms = 0;

  // [kt] key transparency: both key files or none (auto mode: keys in the database).
  bool kt_enabled = true;
  std::string kt_signing_key_file;
  std::string kt_vrf_key_file;
  std::uint64_t kt_batch_interval_ms = 0;
  std::uint64_t kt_max_batch = 0;
  std::uint64_t kt_heartbeat_interval_ms = 0;
  std::uint64_t kt_confirm_wait_ms = 0;
  std::uint64_t kt_max_monitor_entries = 0;
  std::uint64_t kt_max_owner_ladders = 0;
  std::string kt_audit_feed;  // "admin" | "public" | "off"
  // Fixed when the log is created: a different value later fails start-up.
  std::uint64_t kt_max_ahead_ms = 0;
  std::uint64_t kt_max_behind_ms = 0;
  std::uint64_t kt_reasonable_monitoring_window_ms = 0;

  std::string registration_mode;  // "open" | "invite"
  std::uint64_t max_devices_per_account = 0;
  std::uint64_t link_token_ttl_ms = 0;
  std::uint64_t auth_cache_ttl_ms = 0;
  std::uint64_t max_one_time_prekeys = 0;
  std::uint64_t max_prekeys_per_upload = 0;
  std::uint64_t keys_low_watermark = 0;
  std::uint64_t metrics_database_refresh_ms = 0;
  std::uint64_t max_backup_bytes = 0;

  std::uint64_t max_message_bytes = 0;
  std::uint64_t max_queue_per_device = 0;
  std::uint64_t message_ttl_ms = 0;
  std::uint64_t delivery_window = 0;
  std::uint64_t wakeup_batch_ms = 0;
  std::uint64_t ws_recheck_interval_ms = 0;
  std::uint64_t ws_idle_timeout_ms = 0;
  std::uint64_t ws_max_frame_bytes = 0;
  std::uint64_t ws_write_timeout_ms = 0;
  std::uint64_t max_multi_recipients = 0;
  std::uint64_t rate_messages_per_sender_burst = 0;
  std::uint64_t rate_messages_per_sender_per_minute = 0;

  // Token buckets: `burst` requests at once, refilled at `per_minute`.
  std::uint64_t rate_registration_per_ip_burst = 0;
  std::uint64_t rate_registration_per_ip_per_minute = 0;
  std::uint64_t rate_auth_failure_per_ip_burst = 0;
  std::uint64_t rate_auth_failure_per_ip_per_minute = 0;
  std::uint64_t rate_bundle_per_requester_burst = 0;
  std::uint64_t rate_bundle_per_requester_per_minute = 0;
  std::uint64_t rate_bundle_per_pair_burst = 0;
  std::uint64_t rate_bundle_per_pair_per_minute = 0;
  std::uint64_t rate_username_lookup_per_device_burst = 0;
  std::uint64_t rate_username_lookup_per_device_per_minute = 0;
  std::uint64_t rate_link_token_per_account_burst = 0;
  std::uint64_t rate_link_token_per_account_per_minute = 0;
  std::uint64_t rate_unidentified_messages_per_ip_burst = 0;
  std::uint64_t rate_unidentified_messages_per_ip_per_minute = 0;
  std::uint64_t rate_kt_queries_per_account_burst = 0;
  std::uint64_t rate_kt_queries_per_account_per_minute = 0;
  std::uint64_t rate_kt_public_per_ip_burst = 0;
  std::uint64_t rate_kt_public_per_ip_per_minute = 0;

  // The largest body PUT /v1/messages accepts: one maximal envelope per possible device,
  // base64-inflated, plus the JSON around it.
  std::uint64_t max_send_body_bytes() const {
    return max_devices_per_account * ((max_message_bytes + 2) / 3 * 4 + 256) + 4096;
  }

  // The largest body PUT /v1/messages/multi_recipient accepts (DESIGN.md): one maximal
  // shared part, and per recipient its UUID, a maximal device list and its key material.
  std::uint64_t max_multi_recipient_body_bytes() const {
    return max_message_bytes + max_multi_recipients * (17 + 3 * max_devices_per_account + 48) + 64;
  }

  std::chrono::milliseconds idle_timeout() const {
    return std::chrono::milliseconds(http_idle_timeout_ms);
  }
  std::chrono::milliseconds read_timeout() const {
    return std::chrono::milliseconds(http_read_timeout_ms);
  }
  std::chrono::milliseconds write_timeout() const {
    return std::chrono::milliseconds(http_write_timeout_ms);
  }
};

// Thrown for any invalid configuration; the message names the offending key.
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The built-in defaults, as documented.
server_config default_config();

// Loads `file` (when given) over the defaults, then applies SEALPOST_* variables from
// `environment` ("NAME=value" strings). Throws config_error naming the key on unknown keys,
// wrong types and out-of-range values.
server_config load(const std::optional<std::filesystem::path>& file,
                   const std::vector<std::string>& environment);

// Parses "host:port" ("[v6]:port" for IPv6); throws config_error mentioning `key`.
listen_address parse_listen_address(std::string_view key, std::string_view text);

// The environment variable that overrides `key`: "database.url" -> "SEALPOST_DATABASE_URL".
std::string environment_name(std::string_view key);

// Every key's dotted name, in documentation order.
std::vector<std::string_view> key_names();

// Every key with its default and documentation, for --help.
std::string describe_keys();

}  // namespace sealpost::config
