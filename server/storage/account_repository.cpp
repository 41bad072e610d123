// SQL for accounts, devices, tokens, invites and backups.
#include "storage/account_repository.hpp"

#include "model/ids.hpp"
#include "storage/pq.hpp"

namespace sealpost::storage {
namespace {

constexpr const char* kConsumeInvite = R"sql(
UPDATE invites SET used_at = now(), used_by = $2
WHERE token_hash = $1 AND used_at IS NULL
RETURNING 1)sql";

// The username is claimed in its own table first: on Citus that is the one place where
// uniqueness holds across workers. accounts.username is still written: nodes of schema 10
// and 11 free a deleted account's username by it (schema/0012_contract_global_constraints.sql).
constexpr const char* kClaimUsername = R"sql(
INSERT INTO usernames (username, account_id) VALUES ($1, $2)
ON CONFLICT (username) DO NOTHING
RETURNING account_id)sql";

constexpr const char* kInsertAccount = R"sql(
INSERT INTO accounts (id, username, unidentified_access_key, unrestricted_unidentified_access)
VALUES ($1, $2, decode($3, 'hex'), $4))sql";

constexpr const char* kFindUnidentifiedAccess =
    "SELECT unidentified_access_key, unrestricted_unidentified_access FROM accounts WHERE id = $1";

constexpr const char* kFindUnidentifiedAccessMany = R"sql(
SELECT id::text, unidentified_access_key, unrestricted_unidentified_access FROM accounts
WHERE id = ANY ($1::uuid[]))sql";

constexpr const char* kMixedIdentityKeys = R"sql(
SELECT account_id::text FROM devices WHERE account_id = ANY ($1::uuid[])
GROUP BY account_id HAVING count(DISTINCT identity_key) > 1)sql";

constexpr const char* kSetUnidentifiedAccess = R"sql(
UPDATE accounts SET unidentified_access_key = decode($2, 'hex'),
                    unrestricted_unidentified_access = $3
WHERE id = $1)sql";

constexpr const char* kInsertDevice = R"sql(
INSERT INTO devices (account_id, device_id, registration_id, identity_key, password_salt, password_hash)
VALUES ($1, $2, $3, $4, $5, $6))sql";

constexpr const char* kFindByUsername = "SELECT account_id FROM usernames WHERE username = $1";

constexpr const char* kListDevices = R"sql(
SELECT device_id, registration_id, identity_key FROM devices
WHERE account_id = $1 ORDER BY device_id)sql";

constexpr const char* kFindIdentityKey =
    "SELECT identity_key FROM devices WHERE account_id = $1 AND device_id = $2";

constexpr const char* kDeleteAccount = "DELETE FROM accounts WHERE id = $1 RETURNING username";
constexpr const char* kReleaseUsername =
    "DELETE FROM usernames WHERE username = $1 AND account_id = $2";

// The expiry comes from the database's clock, like the check that redeems the token. It is
// read first because Citus allows only immutable functions in a RETURNING clause.
constexpr const char* kLinkTokenExpiry =
    "SELECT (extract(epoch FROM now()) * 1000)::bigint + $1::bigint";
constexpr const char* kInsertLinkToken = R"sql(
INSERT INTO link_tokens (token_hash, account_id, expires_at)
VALUES ($1, $2, to_timestamp($3::double precision / 1000)))sql";

constexpr const char* kPurgeAllExpiredLinkTokens =
    "DELETE FROM link_tokens WHERE expires_at <= now()";
constexpr const char* kPurgeExpiredLinkTokens =
    "DELETE FROM link_tokens WHERE account_id = $1 AND expires_at <= now()";

constexpr const char* kConsumeLinkToken = R"sql(
DELETE FROM link_tokens WHERE account_id = $1 AND token_hash = $2 AND expires_at > now()
RETURNING account_id)sql";

// Locks the account row: concurrent links of one account serialise on it, so the device
// limit holds and two links never pick the same id. The new device takes the lowest free
// id from 2, as Signal-Server does, so ids stay within accounts.max_devices (at most 127,
// as libsignal's DeviceId and the multi-recipient format require). The primary (1) is
// never removed, so the lowest gap above an existing id is the lowest free one.
constexpr const char* kLockAccountForLink = R"sql(
SELECT (SELECT min(d.device_id + 1) FROM devices d
        WHERE d.account_id = $1 AND NOT EXISTS (
          SELECT 1 FROM devices e WHERE e.account_id = $1 AND e.device_id = d.device_id + 1)),
       (SELECT count(*) FROM devices WHERE account_id = $1)
FROM accounts WHERE id = $1 FOR UPDATE)sql";

constexpr const char* kRemoveDevice =
    "DELETE FROM devices WHERE account_id = $1 AND device_id = $2";

constexpr const char* kFindCredential = R"sql(
SELECT password_salt, password_hash FROM devices WHERE account_id = $1 AND device_id = $2)sql";

constexpr const char* kInsertInvite = "INSERT INTO invites (token_hash) VALUES ($1)";
constexpr const char* kListInvites = R"sql(
SELECT encode(substring(token_hash FROM 1 FOR 4), 'hex'), created_at::text, used_at::text
FROM invites ORDER BY created_at)sql";

constexpr const char* kGetBackup = "SELECT blob FROM backups WHERE account_id = $1";
constexpr const char* kPutBackup = R"sql(
INSERT INTO backups (account_id, blob) VALUES ($1, $2)
ON CONFLICT (account_id) DO UPDATE SET blob = EXCLUDED.blob, updated_at = EXCLUDED.updated_at)sql";
constexpr const char* kDeleteBackup = "DELETE FROM backups WHERE account_id = $1";

void insert_device(pqxx::work& tx, const std::string& account_id, std::int32_t device_id,
                   const new_device& device) {
  tx.exec_params(kInsertDevice, account_id, device_id, device.identity.registration_id,
                 bytea(device.identity.identity_key), bytea(device.password_salt),
                 bytea(device.password_hash));
}

}  // namespace

result<device_ref, registration_error> create_account(pqxx::work& tx, const std::string& username,
                                                      const new_device& device,
                                                      const unidentified_access& access,
                                                      const std::optional<std::string>& invite_hash,
                                                      const key_limits& limits) {
  const std::string account_id = model::new_account_id();
  if (invite_hash && tx.exec_params(kConsumeInvite, bytea(*invite_hash), account_id).empty()) {
    return failure{registration_error::invalid_invite};
  }
  if (tx.exec_params(kClaimUsername, username, account_id).empty()) {
    return failure{registration_error::username_taken};
  }
  tx.exec_params(kInsertAccount, account_id, username, optional_bytea_hex(access.key),
                 access.unrestricted);
  insert_device(tx, account_id, 1, device);
  auto stored = store_keys(tx, account_id, 1, device.keys, limits);
  if (!stored) {
    return failure{stored.error() == key_store_error::pool_full
                       ? registration_error::pool_full
                       : registration_error::key_id_conflict};
  }
  return device_ref{account_id, 1};
}

std::optional<unidentified_access> find_unidentified_access(pqxx::work& tx,
                                                            const std::string& account_id) {
  const auto rows = tx.exec_params(kFindUnidentifiedAccess, account_id);
  if (rows.empty())
    return std::nullopt;
  unidentified_access out;
  if (!rows[0][0].is_null())
    out.key = bytes_of(rows[0][0]);
  out.unrestricted = rows[0][1].as<bool>();
  return out;
}

namespace {

// A uuid[] parameter from canonical UUID texts (which need no quoting).
std::string uuid_array(const std::vector<std::string>& ids) {
  std::string out = "{";
  for (const auto& id : ids) {
    if (out.size() > 1)
      out += ',';
    out += id;
  }
  return out + "}";
}

}  // namespace

std::map<std::string, unidentified_access> find_unidentified_access(
    pqxx::work& tx, const std::vector<std::string>& account_ids) {
  std::map<std::string, unidentified_access> out;
  for (const auto& row : tx.exec_params(kFindUnidentifiedAccessMany, uuid_array(account_ids))) {
    unidentified_access access;
    if (!row[1].is_null())
      access.key = bytes_of(row[1]);
    access.unrestricted = row[2].as<bool>();
    out.emplace(row[0].as<std::string>(), std::move(access));
  }
  return out;
}

std::vector<std::string> accounts_with_mixed_identity_keys(
    pqxx::work& tx, const std::vector<std::string>& account_ids) {
  std::vector<std::string> out;
  for (const auto& row : tx.exec_params(kMixedIdentityKeys, uuid_array(account_ids)))
    out.push_back(row[0].as<std::string>());
  return out;
}

void set_unidentified_access(pqxx::work& tx, const std::string& account_id,
                             const unidentified_access& access) {
  tx.exec_params(kSetUnidentifiedAccess, account_id, optional_bytea_hex(access.key),
                 access.unrestricted);
}

std::optional<std::string> find_account_by_username(pqxx::work& tx, const std::string& username) {
  auto rows = tx.exec_params(kFindByUsername, username);
  if (rows.empty())
    return std::nullopt;
  return rows[0][0].as<std::string>();
}

std::optional<std::vector<device_entry>> list_devices(pqxx::work& tx,
                                                      const std::string& account_id) {
  auto rows = tx.exec_params(kListDevices, account_id);
  if (rows.empty()) {
    // Every account has its primary device, so no rows means no account.
    return std::nullopt;
  }
  std::vector<device_entry> devices;
  for (const auto& row : rows) {
    devices.push_back({row[0].as<std::int32_t>(), row[1].as<std::int32_t>(), bytes_of(row[2])});
  }
  return devices;
}

std::optional<std::string> find_identity_key(pqxx::work& tx, const std::string& account_id,
                                             std::int32_t device_id) {
  auto rows = tx.exec_params(kFindIdentityKey, account_id, device_id);
  if (rows.empty())
    return std::nullopt;
  return bytes_of(rows[0][0]);
}

void delete_account(pqxx::work& tx, const std::string& account_id) {
  for (const auto& row : tx.exec_params(kDeleteAccount, account_id))
    tx.exec_params(kReleaseUsername, row[0].as<std::string>(), account_id);
}

std::int64_t create_link_token(pqxx::work& tx, const std::string& account_id,
                               const std::string& token_hash, std::uint64_t ttl_ms) {
  tx.exec_params(kPurgeExpiredLinkTokens, account_id);
  const auto expires_at_ms =
      tx.exec_params1(kLinkTokenExpiry, static_cast<std::int64_t>(ttl_ms))[0].as<std::int64_t>();
  tx.exec_params(kInsertLinkToken, bytea(token_hash), account_id, expires_at_ms);
  return expires_at_ms;
}

result<device_ref, link_error> link_device(pqxx::work& tx, const link_token& token,
                                           const new_device& device, std::size_t max_devices,
                                           const key_limits& limits) {
  const auto consumed = tx.exec_params(kConsumeLinkToken, token.account_id, bytea(token.hash));
  if (consumed.empty())
    return failure{link_error::invalid_link_token};
  const auto account_id = consumed[0][0].as<std::string>();
  auto account = tx.exec_params1(kLockAccountForLink, account_id);
  const auto device_id = account[0].as<std::int32_t>();
  if (account[1].as<std::int64_t>() >= static_cast<std::int64_t>(max_devices)) {
    return failure{link_error::device_limit};
  }
  insert_device(tx, account_id, device_id, device);
  auto stored = store_keys(tx, account_id, device_id, device.keys, limits);
  if (!stored) {
    return failure{stored.error() == key_store_error::pool_full ? link_error::pool_full
                                                                : link_error::key_id_conflict};
  }
  return device_ref{account_id, device_id};
}

bool remove_device(pqxx::work& tx, const std::string& account_id, std::int32_t device_id) {
  return tx.exec_params(kRemoveDevice, account_id, device_id).affected_rows() == 1;
}

std::optional<credential_record> find_credential(pqxx::work& tx, const std::string& account_id,
                                                 std::int32_t device_id) {
  auto rows = tx.exec_params(kFindCredential, account_id, device_id);
  if (rows.empty())
    return std::nullopt;
  return credential_record{bytes_of(rows[0][0]), bytes_of(rows[0][1])};
}

std::size_t purge_expired_link_tokens(pqxx::work& tx) {
  return static_cast<std::size_t>(tx.exec(kPurgeAllExpiredLinkTokens).affected_rows());
}

void create_invite(pqxx::work& tx, const std::string& token_hash) {
  tx.exec_params(kInsertInvite, bytea(token_hash));
}

std::vector<invite_entry> list_invites(pqxx::work& tx) {
  std::vector<invite_entry> out;
  for (const auto& row : tx.exec(kListInvites)) {
    invite_entry e{row[0].as<std::string>(), row[1].as<std::string>(), std::nullopt};
    if (!row[2].is_null())
      e.used_at = row[2].as<std::string>();
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<std::string> get_backup(pqxx::work& tx, const std::string& account_id) {
  auto rows = tx.exec_params(kGetBackup, account_id);
  if (rows.empty())
    return std::nullopt;
  return bytes_of(rows[0][0]);
}

void put_backup(pqxx::work& tx, const std::string& account_id, const std::string& blob) {
  tx.exec_params(kPutBackup, account_id, bytea(blob));
}

bool delete_backup(pqxx::work& tx, const std::string& account_id) {
  return tx.exec_params(kDeleteBackup, account_id).affected_rows() == 1;
}

}  // namespace sealpost::storage
