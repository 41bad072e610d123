// The key material of one device as the API carries it, after validation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sealpost::model {

using bytes = std::string;  // raw bytes; bytea in Postgres

struct signed_key {
  std::uint32_t key_id = 0;
  bytes public_key;  // typed: first byte is the key type
  bytes signature;
};

struct one_time_key {
  std::uint32_t key_id = 0;
  bytes public_key;
};

// Everything a device may upload; registration and linking require signed_prekey.
struct key_upload {
  std::optional<signed_key> signed_prekey;
  std::optional<signed_key> pq_last_resort_prekey;
  std::vector<one_time_key> one_time_prekeys;
  std::vector<signed_key> pq_one_time_prekeys;
};

struct device_identity {
  std::int32_t registration_id = 0;
  bytes identity_key;
};

// One device's entry in a bundle answer.
struct device_bundle {
  std::int32_t device_id = 0;
  std::int32_t registration_id = 0;
  bytes identity_key;
  signed_key signed_prekey;
  std::optional<one_time_key> one_time_prekey;
  std::optional<signed_key> pq_prekey;
  bool pq_last_resort = false;
};

struct key_counts {
  std::int64_t one_time_prekeys = 0;
  std::int64_t pq_one_time_prekeys = 0;
  std::optional<std::uint32_t> signed_prekey_id;
  std::optional<std::uint32_t> pq_last_resort_prekey_id;
};

}  // namespace sealpost::model
