// SQL for the prekey directory.
#include "storage/key_repository.hpp"

#include <algorithm>

#include "storage/pq.hpp"
#include "storage/prepared.hpp"

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

// A whole claim in one call of sealpost_claim (schema/0007_claim_function.sql): one round
// trip, one commit, and on Citus it runs on the worker that holds the account's shard. Per
// device (all, or $2) the bundle and one EC and one PQ one-time key, each locked, deleted
// and remembered in claimed_prekeys, skipping keys a concurrent claim holds, so no key is
// handed out twice and claimers never queue behind each other; and whether a pool is now
// below the watermark $3. Its columns are read below by position.
constexpr prepared_statement kClaim{"claim_bundles", R"sql(
SELECT * FROM sealpost_claim($1::uuid, $2::integer, $3::bigint))sql"};

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

result<bundle_claim, bundle_error> claim_bundles(pqxx::transaction_base& tx,
                                                 const std::string& account_id,
                                                 std::optional<std::int32_t> device_id,
                                                 std::uint64_t keys_low_watermark) {
  const auto watermark = static_cast<std::int64_t>(keys_low_watermark);
  const auto rows = device_id ? exec_prepared(tx, kClaim, account_id, *device_id, watermark)
                              : exec_prepared(tx, kClaim, account_id, nullptr, watermark);
  if (rows.empty())
    return failure{bundle_error::not_found};
  bundle_claim claim;
  for (const auto& row : rows) {
    model::device_bundle b;
    b.device_id = row[0].as<std::int32_t>();
    b.registration_id = row[1].as<std::int32_t>();
    b.identity_key = bytes_of(row[2]);
    b.signed_prekey = {static_cast<std::uint32_t>(row[3].as<std::int64_t>()), bytes_of(row[4]),
                       bytes_of(row[5])};
    if (!row[9].is_null()) {
      b.one_time_prekey = model::one_time_key{static_cast<std::uint32_t>(row[9].as<std::int64_t>()),
                                              bytes_of(row[10])};
    }
    if (!row[11].is_null()) {
      b.pq_prekey = model::signed_key{static_cast<std::uint32_t>(row[11].as<std::int64_t>()),
                                      bytes_of(row[12]), bytes_of(row[13])};
    } else if (!row[6].is_null()) {
      b.pq_prekey = model::signed_key{static_cast<std::uint32_t>(row[6].as<std::int64_t>()),
                                      bytes_of(row[7]), bytes_of(row[8])};
      b.pq_last_resort = true;
    }
    if (row[14].as<bool>())
      claim.devices_low_on_keys.push_back(b.device_id);
    claim.bundles.push_back(std::move(b));
  }
  return claim;
}

// Each pool is counted up to $1 keys ($1 >= 1, so an empty pool still counts as 0 < 1): the
// work per device is bounded by the watermark, not by how many keys the device uploaded.
constexpr const char* kPoolCensus = R"sql(
SELECT count(*) FILTER (WHERE ec < $2) AS ec_low, count(*) FILTER (WHERE pq < $2) AS pq_low,
       count(*) FILTER (WHERE ec = 0) AS ec_empty, count(*) FILTER (WHERE pq = 0) AS pq_empty
FROM devices d
CROSS JOIN LATERAL (SELECT count(*) AS ec FROM (
  SELECT 1 FROM one_time_prekeys k
  WHERE k.account_id = d.account_id AND k.device_id = d.device_id LIMIT $1) e) ec
CROSS JOIN LATERAL (SELECT count(*) AS pq FROM (
  SELECT 1 FROM pq_one_time_prekeys k
  WHERE k.account_id = d.account_id AND k.device_id = d.device_id LIMIT $1) p) pq
)sql";

prekey_pool_census count_devices_low_on_keys(pqxx::work& tx, std::uint64_t keys_low_watermark) {
  const auto watermark = static_cast<std::int64_t>(keys_low_watermark);
  const auto row = tx.exec_params1(kPoolCensus, std::max<std::int64_t>(watermark, 1), watermark);
  return {row["ec_low"].as<std::int64_t>(), row["pq_low"].as<std::int64_t>(),
          row["ec_empty"].as<std::int64_t>(), row["pq_empty"].as<std::int64_t>()};
}

}  // namespace sealpost::storage
