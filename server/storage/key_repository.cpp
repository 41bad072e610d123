// SQL for the prekey directory.
#include "storage/key_repository.hpp"

#include "storage/pq.hpp"

namespace sealpost::storage {
namespace {

constexpr const char* kUpsertSignedPrekey = R"sql(
INSERT INTO signed_prekeys (account_id, device_id, key_id, public_key, signature)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (account_id, device_id) DO UPDATE
  SET key_id = EXCLUDED.key_id, public_key = EXCLUDED.public_key, signature = EXCLUDED.signature)sql";

constexpr const char* kUpsertPqLastResort = R"sql(
INSERT INTO pq_last_resort_prekeys (account_id, device_id, key_id, public_key, signature)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (account_id, device_id) DO UPDATE
  SET key_id = EXCLUDED.key_id, public_key = EXCLUDED.public_key, signature = EXCLUDED.signature)sql";

// Inserts unless the key_id exists; either way returns the bytes stored under that key_id
// before this statement (NULL when it was new), to tell a retry from a conflict.
constexpr const char* kInsertOneTime = R"sql(
WITH existing AS (
  SELECT public_key FROM one_time_prekeys
  WHERE account_id = $1 AND device_id = $2 AND key_id = $3),
inserted AS (
  INSERT INTO one_time_prekeys (account_id, device_id, key_id, public_key)
  SELECT $1, $2, $3, $4
  WHERE NOT EXISTS (SELECT 1 FROM claimed_prekeys
                    WHERE account_id = $1 AND device_id = $2 AND NOT pq AND key_id = $3)
  ON CONFLICT DO NOTHING)
SELECT (SELECT public_key FROM existing))sql";

constexpr const char* kInsertPqOneTime = R"sql(
WITH existing AS (
  SELECT public_key FROM pq_one_time_prekeys
  WHERE account_id = $1 AND device_id = $2 AND key_id = $3),
inserted AS (
  INSERT INTO pq_one_time_prekeys (account_id, device_id, key_id, public_key, signature)
  SELECT $1, $2, $3, $4, $5
  WHERE NOT EXISTS (SELECT 1 FROM claimed_prekeys
                    WHERE account_id = $1 AND device_id = $2 AND pq AND key_id = $3)
  ON CONFLICT DO NOTHING)
SELECT (SELECT public_key FROM existing))sql";

constexpr const char* kCountKeys = R"sql(
SELECT
  (SELECT count(*) FROM one_time_prekeys WHERE account_id = $1 AND device_id = $2)
    AS one_time_prekeys,
  (SELECT count(*) FROM pq_one_time_prekeys WHERE account_id = $1 AND device_id = $2)
    AS pq_one_time_prekeys,
  (SELECT key_id FROM signed_prekeys WHERE account_id = $1 AND device_id = $2)
    AS signed_prekey_id,
  (SELECT key_id FROM pq_last_resort_prekeys WHERE account_id = $1 AND device_id = $2)
    AS pq_last_resort_prekey_id)sql";

constexpr const char* kBundleDevices = R"sql(
SELECT d.device_id, d.registration_id, d.identity_key,
       s.key_id AS signed_key_id, s.public_key AS signed_public_key,
       s.signature AS signed_signature,
       l.key_id AS last_resort_key_id, l.public_key AS last_resort_public_key,
       l.signature AS last_resort_signature
FROM devices d
JOIN signed_prekeys s USING (account_id, device_id)
LEFT JOIN pq_last_resort_prekeys l USING (account_id, device_id)
WHERE d.account_id = $1 AND ($2::integer IS NULL OR d.device_id = $2)
ORDER BY d.device_id)sql";

// One statement per claim: the row is locked, deleted and returned atomically; rows locked
// by a concurrent claim are skipped rather than waited for, so no key is handed out twice
// and claimers never queue behind each other.
constexpr const char* kClaimOneTime = R"sql(
WITH claimed AS (
  DELETE FROM one_time_prekeys
  WHERE (account_id, device_id, key_id) = (
    SELECT account_id, device_id, key_id FROM one_time_prekeys
    WHERE account_id = $1 AND device_id = $2
    ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED)
  RETURNING account_id, device_id, key_id, public_key),
remembered AS (
  INSERT INTO claimed_prekeys (account_id, device_id, pq, key_id)
  SELECT account_id, device_id, false, key_id FROM claimed ON CONFLICT DO NOTHING)
SELECT key_id, public_key FROM claimed)sql";

constexpr const char* kClaimPqOneTime = R"sql(
WITH claimed AS (
  DELETE FROM pq_one_time_prekeys
  WHERE (account_id, device_id, key_id) = (
    SELECT account_id, device_id, key_id FROM pq_one_time_prekeys
    WHERE account_id = $1 AND device_id = $2
    ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED)
  RETURNING account_id, device_id, key_id, public_key, signature),
remembered AS (
  INSERT INTO claimed_prekeys (account_id, device_id, pq, key_id)
  SELECT account_id, device_id, true, key_id FROM claimed ON CONFLICT DO NOTHING)
SELECT key_id, public_key, signature FROM claimed)sql";

std::optional<std::int64_t> optional_int(const pqxx::field& f) {
  if (f.is_null())
    return std::nullopt;
  return f.as<std::int64_t>();
}

}  // namespace

result<stored, key_store_error> store_keys(pqxx::work& tx, const std::string& account_id,
                                           std::int32_t device_id, const model::key_upload& keys,
                                           const key_limits& limits) {
  if (const auto& k = keys.signed_prekey) {
    tx.exec_params(kUpsertSignedPrekey, account_id, device_id, static_cast<std::int64_t>(k->key_id),
                   bytea(k->public_key), bytea(k->signature));
  }
  if (const auto& k = keys.pq_last_resort_prekey) {
    tx.exec_params(kUpsertPqLastResort, account_id, device_id, static_cast<std::int64_t>(k->key_id),
                   bytea(k->public_key), bytea(k->signature));
  }
  for (const auto& k : keys.one_time_prekeys) {
    auto row = tx.exec_params1(kInsertOneTime, account_id, device_id,
                               static_cast<std::int64_t>(k.key_id), bytea(k.public_key));
    if (!row[0].is_null() && bytes_of(row[0]) != k.public_key)
      return failure{key_store_error::key_id_conflict};
  }
  for (const auto& k : keys.pq_one_time_prekeys) {
    auto row = tx.exec_params1(kInsertPqOneTime, account_id, device_id,
                               static_cast<std::int64_t>(k.key_id), bytea(k.public_key),
                               bytea(k.signature));
    if (!row[0].is_null() && bytes_of(row[0]) != k.public_key)
      return failure{key_store_error::key_id_conflict};
  }
  if (!keys.one_time_prekeys.empty() || !keys.pq_one_time_prekeys.empty()) {
    auto counts = count_keys(tx, account_id, device_id);
    const auto cap = static_cast<std::int64_t>(limits.max_one_time_prekeys);
    if (counts.one_time_prekeys > cap || counts.pq_one_time_prekeys > cap) {
      return failure{key_store_error::pool_full};
    }
  }
  return stored{};
}

model::key_counts count_keys(pqxx::work& tx, const std::string& account_id,
                             std::int32_t device_id) {
  auto row = tx.exec_params1(kCountKeys, account_id, device_id);
  model::key_counts counts;
  counts.one_time_prekeys = row["one_time_prekeys"].as<std::int64_t>();
  counts.pq_one_time_prekeys = row["pq_one_time_prekeys"].as<std::int64_t>();
  if (auto id = optional_int(row["signed_prekey_id"]))
    counts.signed_prekey_id = static_cast<std::uint32_t>(*id);
  if (auto id = optional_int(row["pq_last_resort_prekey_id"]))
    counts.pq_last_resort_prekey_id = static_cast<std::uint32_t>(*id);
  return counts;
}

result<std::vector<model::device_bundle>, bundle_error> claim_bundles(
    pqxx::work& tx, const std::string& account_id, std::optional<std::int32_t> device_id) {
  auto rows = device_id ? tx.exec_params(kBundleDevices, account_id, *device_id)
                        : tx.exec_params(kBundleDevices, account_id, nullptr);
  if (rows.empty())
    return failure{bundle_error::not_found};
  std::vector<model::device_bundle> bundles;
  for (const auto& row : rows) {
    model::device_bundle b;
    b.device_id = row["device_id"].as<std::int32_t>();
    b.registration_id = row["registration_id"].as<std::int32_t>();
    b.identity_key = bytes_of(row["identity_key"]);
    b.signed_prekey = {static_cast<std::uint32_t>(row["signed_key_id"].as<std::int64_t>()),
                       bytes_of(row["signed_public_key"]), bytes_of(row["signed_signature"])};
    auto ec = tx.exec_params(kClaimOneTime, account_id, b.device_id);
    if (!ec.empty()) {
      b.one_time_prekey =
          model::one_time_key{static_cast<std::uint32_t>(ec[0]["key_id"].as<std::int64_t>()),
                              bytes_of(ec[0]["public_key"])};
    }
    auto pq = tx.exec_params(kClaimPqOneTime, account_id, b.device_id);
    if (!pq.empty()) {
      b.pq_prekey =
          model::signed_key{static_cast<std::uint32_t>(pq[0]["key_id"].as<std::int64_t>()),
                            bytes_of(pq[0]["public_key"]), bytes_of(pq[0]["signature"])};
    } else if (!row["last_resort_key_id"].is_null()) {
      b.pq_prekey = model::signed_key{
          static_cast<std::uint32_t>(row["last_resort_key_id"].as<std::int64_t>()),
          bytes_of(row["last_resort_public_key"]), bytes_of(row["last_resort_signature"])};
      b.pq_last_resort = true;
    }
    bundles.push_back(std::move(b));
  }
  return bundles;
}

}  // namespace sealpost::storage
