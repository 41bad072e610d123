// Accounts and devices: registration, linking, lookup, removal, and credential records.
#pragma once

#include <map>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "model/keys.hpp"
#include "storage/key_repository.hpp"
#include "util/result.hpp"

namespace sealpost::storage {

// A device being added: its credential record, public identity and first keys.
struct new_device {
  std::string password_salt;
  std::string password_hash;
  model::device_identity identity;
  model::key_upload keys;
};

struct device_ref {
  std::string account_id;
  std::int32_t device_id = 0;
};

// Who may send to an account without credentials (sealed sender): holders of `key` (16
// opaque bytes, stored raw), or anyone when `unrestricted`.
struct unidentified_access {
  std::optional<std::string> key;
  bool unrestricted = false;
};

enum class registration_error { username_taken, invalid_invite, key_id_conflict, pool_full };

// Creates the account with `device` as device 1. When `invite_hash` is set it must name an
// unused invite, which this consumes.
result<device_ref, registration_error> create_account(pqxx::work& tx, const std::string& username,
                                                      const new_device& device,
                                                      const unidentified_access& access,
                                                      const std::optional<std::string>& invite_hash,
                                                      const key_limits& limits);

// The account's unidentified access; nullopt when the account does not exist.
std::optional<unidentified_access> find_unidentified_access(pqxx::work& tx,
                                                            const std::string& account_id);

// The unidentified access of each of `account_ids` that exists, by account id (one query:
// a multi-recipient send checks up to messages.max_multi_recipients accounts at once).
std::map<std::string, unidentified_access> find_unidentified_access(
    pqxx::work& tx, const std::vector<std::string>& account_ids);

// Those of `account_ids` whose devices do not all hold the same identity key.
std::vector<std::string> accounts_with_mixed_identity_keys(
    pqxx::work& tx, const std::vector<std::string>& account_ids);

// Replaces both the key and the flag.
void set_unidentified_access(pqxx::work& tx, const std::string& account_id,
                             const unidentified_access& access);

std::optional<std::string> find_account_by_username(pqxx::work& tx, const std::string& username);

struct device_entry {
  std::int32_t device_id;
  std::int32_t registration_id;
  std::string identity_key;
};
// nullopt when the account does not exist.
std::optional<std::vector<device_entry>> list_devices(pqxx::work& tx,
                                                      const std::string& account_id);

// The device's identity key; nullopt when the device does not exist.
std::optional<std::string> find_identity_key(pqxx::work& tx, const std::string& account_id,
                                             std::int32_t device_id);

// Deletes the account; cascades to devices, keys, tokens, queues and backup.
void delete_account(pqxx::work& tx, const std::string& account_id);

// Stores the hash of a new single-use link token; returns its expiry in ms since epoch.
std::int64_t create_link_token(pqxx::work& tx, const std::string& account_id,
                               const std::string& token_hash, std::uint64_t ttl_ms);

// Deletes every expired link token (minting one purges its own account's as well).
std::size_t purge_expired_link_tokens(pqxx::work& tx);

enum class link_error { invalid_link_token, device_limit, key_id_conflict, pool_full };

// Consumes the token and adds the device under the next never-used device id.
struct link_token {
  std::string account_id;  // the account the token names
  std::string hash;
};
result<device_ref, link_error> link_device(pqxx::work& tx, const link_token& token,
                                           const new_device& device, std::size_t max_devices,
                                           const key_limits& limits);

// Removes the device with its keys, queue and credentials; false when it did not exist.
bool remove_device(pqxx::work& tx, const std::string& account_id, std::int32_t device_id);

struct credential_record {
  std::string salt;
  std::string hash;
};
std::optional<credential_record> find_credential(pqxx::work& tx, const std::string& account_id,
                                                 std::int32_t device_id);

// Invites, for `sealpost-server admin invite ...`.
void create_invite(pqxx::work& tx, const std::string& token_hash);
struct invite_entry {
  std::string id;  // first 8 hex digits of the token hash, to tell invites apart
  std::string created_at;
  std::optional<std::string> used_at;
};
std::vector<invite_entry> list_invites(pqxx::work& tx);

// The account's backup blob; nullopt when none.
std::optional<std::string> get_backup(pqxx::work& tx, const std::string& account_id);
void put_backup(pqxx::work& tx, const std::string& account_id, const std::string& blob);
bool delete_backup(pqxx::work& tx, const std::string& account_id);

}  // namespace sealpost::storage
