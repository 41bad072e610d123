// JSON <-> key material for the key-carrying endpoints: reading uploads (with type, length
// and signature checks against the device's identity key) and writing bundles.
#pragma once

#include <boost/json/object.hpp>

#include "app/services.hpp"
#include "model/keys.hpp"
#include "net/json_reader.hpp"

namespace sealpost::resources {

// Reads and checks an identity key (0x05 or 0x0E); 422 invalid_key otherwise.
std::string read_identity_key(net::json_reader& body);

// Reads the optional key fields of registration, linking and PUT /v1/keys. Signatures are
// verified with `identity_key`: 422 invalid_signature; wrong key types/lengths: 422
// invalid_key; over keys.max_prekeys_per_upload: 413; duplicate key_ids with different
// bytes in one upload: 409 key_id_conflict.
model::key_upload read_key_upload(net::json_reader& body, const std::string& identity_key,
                                  const config::server_config& cfg);

// Ensures the keys every device must have at registration or linking.
void require_signed_prekey(const model::key_upload& keys);

boost::json::object signed_key_json(const model::signed_key& k);
boost::json::object one_time_key_json(const model::one_time_key& k);
boost::json::object bundle_json(const model::device_bundle& b);

}  // namespace sealpost::resources
