// The Sealpost REST API as blocking typed calls. Every call returns the decoded answer or
// throws: api_error (or one of its kinds in net/errors.hpp) for an error answer,
// transport_error when the server cannot be reached or its answer cannot be understood.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "net/api_types.hpp"
#include "net/http_connection.hpp"
#include "net/server_address.hpp"

namespace sealpost::client::net {

class api_client {
 public:
  // Throws transport_error when TLS is asked for and options.ca_file cannot be used.
  explicit api_client(server_address address, const connection_options& options = {});

  // The device that authenticates the calls that need it (all but registration and linking).
  void set_login(device_login login) { login_ = std::move(login); }
  [[nodiscard]] const std::optional<device_login>& login() const noexcept { return login_; }
  [[nodiscard]] const server_address& address() const noexcept { return http_.address(); }

  // POST /v1/accounts: a new account with `device` as its primary (device 1).
  registered_device register_account(const std::string& username, const new_device_request& device,
                                     const std::optional<std::string>& invite = std::nullopt);
  // POST /v1/devices: `device` joins the account that minted `token`.
  registered_device link_device(const std::string& token, const new_device_request& device);
  // POST /v1/devices/link-tokens (primary only).
  link_token create_link_token();
  // GET /v1/accounts/by-username/{name}: the account id, or nullopt when there is none.
  std::optional<std::string> lookup_username(const std::string& username);
  // GET /v1/accounts/{account_id}/devices.
  std::vector<device_entry> list_devices(const std::string& account_id);
  // DELETE /v1/accounts/me (primary only).
  void delete_account();
  // DELETE /v1/devices/{device_id}.
  void remove_device(std::uint32_t device_id);

  // PUT /v1/keys.
  void upload_keys(const key_upload& keys);
  // GET /v1/keys/status.
  key_status get_key_status();
  // GET /v1/keys/{account_id}/{device_id}, or every device when `device_id` is nullopt.
  // Claims one-time prekeys: each answer uses some up.
  std::vector<device_bundle> claim_bundles(const std::string& account_id,
                                           std::optional<std::uint32_t> device_id);

  // PUT /v1/messages/{account_id}. 409 and 410 come as mismatched_devices_error and
  // stale_devices_error.
  send_result send_messages(const std::string& account_id, std::uint64_t timestamp_ms,
                            std::span<const outgoing_envelope> messages, bool online_only = false);
  // The same send without credentials (sealed sender, DESIGN.md): every message is type 6
  // and `access_key` is the recipient's 16-byte unidentified access key. A refused key is
  // unauthorized_error, whatever the reason (no existence probe).
  send_result send_sealed_messages(const std::string& account_id, std::uint64_t timestamp_ms,
                                   std::span<const outgoing_envelope> messages,
                                   std::span<const std::uint8_t> access_key);
  // GET /v1/certificate/trust-root (no authentication): the 33-byte 0x05 key, or nullopt
  // when the server has sealed sender turned off (404).
  std::optional<byte_vector> get_trust_root();
  // GET /v1/certificate/delivery: a sender certificate for this device.
  delivery_certificate get_delivery_certificate();
  // GET / PUT /v1/accounts/me/unidentified-access.
  unidentified_access get_unidentified_access();
  void put_unidentified_access(std::optional<std::span<const std::uint8_t>> access_key,
                               bool unrestricted);

  // GET /v1/kt/config (no authentication); nullopt when the server has key transparency
  // off (404).
  std::optional<kt_config> get_kt_config();
  // GET /v1/kt/head[?last=N] (no authentication).
  kt_head_answer get_kt_head(std::optional<std::uint64_t> last);
  // GET /v1/kt/accounts/{account_id}[?last=N]: the search answer, or nullopt when the log has
  // never published the account (404).
  std::optional<kt_search_answer> kt_search_account(const std::string& account_id,
                                                    std::optional<std::uint64_t> last);
  // GET /v1/kt/usernames/{username}[?last=N]; nullopt when never published (404).
  std::optional<kt_search_answer> kt_search_username(const std::string& username,
                                                     std::optional<std::uint64_t> last);
  // POST /v1/kt/monitor: monitoring ladders for `entries` (ascending, at most
  // kt.max_monitor_entries) of the subject's label.
  kt_monitor_answer kt_monitor(const kt_subject& subject,
                               std::span<const keytrans::kt_map_entry> entries,
                               std::optional<std::uint64_t> last);
  // POST /v1/kt/owner for one of this account's own labels (its account, or its username),
  // from `state` (its start, greatest version and contact map).
  kt_owner_answer kt_owner(kt_subject::kind label, const keytrans::kt_owner_state& state,
                           std::optional<std::uint64_t> last);

  // GET /v1/messages (the polling fallback to the WebSocket).
  poll_result poll_messages();
  // DELETE /v1/messages/{guid}.
  void ack_message(const guid& id);

  // PUT / GET / DELETE /v1/backup. get_backup gives nullopt when there is none.
  void put_backup(std::span<const std::uint8_t> blob);
  std::optional<byte_vector> get_backup();
  void delete_backup();

 private:
  http_response call(boost::beast::http::verb method, const std::string& target,
                     const std::string& body, const std::string& content_type, bool authenticated);
  send_result send(const std::string& account_id, const std::string& body,
                   const http_credential& credential);

  http_connection http_;
  std::optional<device_login> login_;
};

// "Basic base64(<account_id>.<device_id>:<password>)".
std::string basic_authorization(const device_login& login);

}  // namespace sealpost::client::net
