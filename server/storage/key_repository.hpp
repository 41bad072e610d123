// Prekeys of devices: storing uploads, counting pools, and claiming bundles so that every
// one-time key is handed out at most once, across transactions and nodes.
#pragma once

#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "model/keys.hpp"
#include "util/result.hpp"

namespace sealpost::storage {

struct key_limits {
  std::size_t max_one_time_prekeys;
};

enum class key_store_error { key_id_conflict, pool_full };

struct stored {};

// Inside the caller's transaction: upserts the signed and last-resort prekeys and appends
// one-time keys (a key_id already stored with the same bytes is a no-op).
result<stored, key_store_error> store_keys(pqxx::work& tx, const std::string& account_id,
                                           std::int32_t device_id, const model::key_upload& keys,
                                           const key_limits& limits);

model::key_counts count_keys(pqxx::work& tx, const std::string& account_id, std::int32_t device_id);

enum class bundle_error { not_found };

struct bundle_claim {
  std::vector<model::device_bundle> bundles;
  // Devices whose one-time pools this claim left below the watermark.
  std::vector<std::int32_t> devices_low_on_keys;
};

// Claims one bundle per device (all devices when `device_id` is empty) in one statement:
// with a nontransaction (autocommit) a claim is one round trip and one commit.
result<bundle_claim, bundle_error> claim_bundles(pqxx::transaction_base& tx,
                                                 const std::string& account_id,
                                                 std::optional<std::int32_t> device_id,
                                                 std::uint64_t keys_low_watermark);

// How many devices hold fewer one-time prekeys than the watermark, and how many hold none,
// for each kind. An operator's gauge: it counts at most `watermark` keys per device, so it
// costs one short index probe per device however full the pools are.
struct prekey_pool_census {
  std::int64_t ec_low = 0;
  std::int64_t pq_low = 0;
  std::int64_t ec_empty = 0;
  std::int64_t pq_empty = 0;
};

prekey_pool_census count_devices_low_on_keys(pqxx::work& tx, std::uint64_t keys_low_watermark);

}  // namespace sealpost::storage
