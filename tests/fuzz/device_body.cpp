// Fuzz target: the JSON bodies that carry keys, parsed by the same functions the handlers
// call (server/resources/device_enrollment.*, server/resources/key_codec.*), without a
// database: a body with "password" is a registration (POST /v1/accounts) or, with
// "link_token", a device link (POST /v1/devices); any other body is a key upload
// (PUT /v1/keys) by a device whose stored identity key is fixtures.hpp's. The few handler
// lines around those calls (reading "username"/"invite"/"link_token", then
// reject_unknown_fields) are repeated here as accounts.cpp, devices.cpp and keys.cpp have
// them; the username syntax check is file-local to accounts.cpp and not repeated.
// keys.max_prekeys_per_upload is 4 here, so that the 413 path is reachable with small inputs.
//
// Properties: a body is either accepted or refused with one of the errors key_codec.hpp
// and json_reader.hpp document (400 invalid_json / invalid_request, 422 invalid_key /
// invalid_signature, 413 too_many_items, 409 key_id_conflict), nothing else; an accepted
// body yields exactly the keys its JSON holds (base64-decoded), each of the right type and
// length for its use, each signed key verifying under the identity key, at most 4 one-time
// keys per pool, no key_id twice with different bytes; a new device's password hash
// matches its password and its registration id is in 1..16380.
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "auth/credentials.hpp"
#include "config/config.hpp"
#include "crypto/base64.hpp"
#include "crypto/signature.hpp"
#include "crypto/typed_key.hpp"
#include "fixtures.hpp"
#include "fuzz_check.hpp"
#include "model/ids.hpp"
#include "net/json_reader.hpp"
#include "net/request_error.hpp"
#include "resources/device_enrollment.hpp"
#include "resources/key_codec.hpp"

namespace {

namespace json = boost::json;
using namespace sealpost;
using fuzz::bytes_of;

constexpr std::uint64_t kMaxPrekeysPerUpload = 4;

const config::server_config& fuzz_config() {
  static const config::server_config cfg = [] {
    config::server_config c{};
    c.max_prekeys_per_upload = kMaxPrekeysPerUpload;
    return c;
  }();
  return cfg;
}

bool documented(const net::api_error& err) {
  using net::api_errc;
  return (err.code == api_errc::bad_request && err.error == "invalid_request") ||
         (err.code == api_errc::unprocessable &&
          (err.error == "invalid_key" || err.error == "invalid_signature")) ||
         (err.code == api_errc::payload_too_large && err.error == "too_many_items") ||
         (err.code == api_errc::conflict && err.error == "key_id_conflict");
}

std::string decoded_field(const json::object& obj, std::string_view key) {
  const auto decoded = crypto::base64_decode(std::string_view(obj.at(key).as_string()));
  FUZZ_CHECK(decoded.has_value());
  return {decoded->begin(), decoded->end()};
}

const json::object* optional_object(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  return v == nullptr || v->is_null() ? nullptr : &v->as_object();
}

const json::array* optional_array(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  return v == nullptr || v->is_null() ? nullptr : &v->as_array();
}

void check_public_key(const std::string& key, crypto::key_purpose purpose,
                      const json::object& json) {
  FUZZ_CHECK(crypto::parse_typed_key(bytes_of(key), purpose).has_value());
  FUZZ_CHECK(key == decoded_field(json, "public_key"));
}

void check_signed(const model::signed_key& k, const json::object& json, crypto::key_purpose purpose,
                  const crypto::typed_key& identity) {
  FUZZ_CHECK(k.key_id == json.at("key_id").as_int64());
  check_public_key(k.public_key, purpose, json);
  FUZZ_CHECK(k.signature == decoded_field(json, "signature"));
  FUZZ_CHECK(crypto::verify_signature(identity, bytes_of(k.public_key), bytes_of(k.signature)));
}

template <class Key>
void check_unique_ids(const std::vector<Key>& keys) {
  std::map<std::uint32_t, std::string> seen;
  for (const auto& k : keys) {
    const auto [it, inserted] = seen.emplace(k.key_id, k.public_key);
    FUZZ_CHECK(inserted || it->second == k.public_key);
  }
}

void check_upload(const model::key_upload& keys, const std::string& identity_key,
                  const json::object& body) {
  const auto identity =
      crypto::parse_typed_key(bytes_of(identity_key), crypto::key_purpose::identity);
  FUZZ_CHECK(identity.has_value());

  const json::object* signed_prekey = optional_object(body, "signed_prekey");
  FUZZ_CHECK(keys.signed_prekey.has_value() == (signed_prekey != nullptr));
  if (signed_prekey != nullptr) {
    check_signed(*keys.signed_prekey, *signed_prekey, crypto::key_purpose::dh_prekey, *identity);
  }
  const json::object* last_resort = optional_object(body, "pq_last_resort_prekey");
  FUZZ_CHECK(keys.pq_last_resort_prekey.has_value() == (last_resort != nullptr));
  if (last_resort != nullptr) {
    check_signed(*keys.pq_last_resort_prekey, *last_resort, crypto::key_purpose::kem_prekey,
                 *identity);
  }

  const json::array* one_time = optional_array(body, "one_time_prekeys");
  FUZZ_CHECK(keys.one_time_prekeys.size() == (one_time == nullptr ? 0 : one_time->size()));
  FUZZ_CHECK(keys.one_time_prekeys.size() <= kMaxPrekeysPerUpload);
  for (std::size_t i = 0; i < keys.one_time_prekeys.size(); ++i) {
    const json::object& json = (*one_time)[i].as_object();
    FUZZ_CHECK(keys.one_time_prekeys[i].key_id == json.at("key_id").as_int64());
    check_public_key(keys.one_time_prekeys[i].public_key, crypto::key_purpose::dh_prekey, json);
  }
  check_unique_ids(keys.one_time_prekeys);

  const json::array* pq_one_time = optional_array(body, "pq_one_time_prekeys");
  FUZZ_CHECK(keys.pq_one_time_prekeys.size() == (pq_one_time == nullptr ? 0 : pq_one_time->size()));
  FUZZ_CHECK(keys.pq_one_time_prekeys.size() <= kMaxPrekeysPerUpload);
  for (std::size_t i = 0; i < keys.pq_one_time_prekeys.size(); ++i) {
    check_signed(keys.pq_one_time_prekeys[i], (*pq_one_time)[i].as_object(),
                 crypto::key_purpose::kem_prekey, *identity);
  }
  check_unique_ids(keys.pq_one_time_prekeys);
}

void check_new_device(const storage::new_device& device, const json::object& body) {
  const std::string password(body.at("password").as_string());
  FUZZ_CHECK(password.size() >= auth::kMinPasswordLength &&
             password.size() <= auth::kMaxPasswordLength);
  FUZZ_CHECK(auth::password_matches({device.password_salt, device.password_hash}, password));
  FUZZ_CHECK(!auth::password_matches({device.password_salt, device.password_hash}, password + "x"));
  FUZZ_CHECK(device.identity.registration_id >= 1 && device.identity.registration_id <= 16380);
  FUZZ_CHECK(device.identity.registration_id == body.at("registration_id").as_int64());
  FUZZ_CHECK(device.identity.identity_key == decoded_field(body, "identity_key"));
  FUZZ_CHECK(device.keys.signed_prekey.has_value());
  check_upload(device.keys, device.identity.identity_key, body);
}

// POST /v1/accounts (register_account) or POST /v1/devices (link_device).
void new_device_body(const json::object& body) {
  net::json_reader r(body);
  const bool linking = body.contains("link_token");
  if (linking) {
    FUZZ_CHECK(model::token_hash(r.string("link_token")).size() == 32);
  } else {
    r.string("username");
  }
  const auto device = resources::read_new_device(r, fuzz_config());
  if (!linking) {
    r.optional_string("invite");
  }
  r.reject_unknown_fields();
  check_new_device(device, body);
}

// PUT /v1/keys (upload_keys).
void key_upload_body(const json::object& body) {
  static const std::string identity_key = fuzz::stored_identity_key();
  net::json_reader r(body);
  const auto keys = resources::read_key_upload(r, identity_key, fuzz_config());
  r.reject_unknown_fields();
  check_upload(keys, identity_key, body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  json::object body;
  try {
    body = net::parse_json_object(fuzz::text_of({data, size}));
  } catch (const net::request_error& e) {
    FUZZ_CHECK(e.error().code == net::api_errc::invalid_json);
    return 0;
  }
  try {
    if (body.contains("password")) {
      new_device_body(body);
    } else {
      key_upload_body(body);
    }
  } catch (const net::request_error& e) {
    FUZZ_CHECK(documented(e.error()));
  }
  return 0;
}
