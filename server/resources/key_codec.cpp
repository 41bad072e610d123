// Validation of uploaded keys happens here, once, for every endpoint that takes keys.
#include "resources/key_codec.hpp"

#include <map>

#include "crypto/base64.hpp"
#include "crypto/signature.hpp"
#include "crypto/typed_key.hpp"
#include "net/request_error.hpp"

namespace sealpost::resources {
namespace {

constexpr std::size_t kMaxSignatureBytes = 64;

std::span<const std::uint8_t> as_span(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string b64(const std::string& raw) {
  return crypto::base64_encode(as_span(raw));
}

[[noreturn]] void invalid_key(const std::string& field, crypto::key_error why) {
  throw net::request_error(
      net::api_errc::unprocessable, "invalid_key",
      "field '" + field + "': not a valid key (" + std::string(crypto::to_string(why)) + ")");
}

std::string read_public_key(net::json_reader& r, crypto::key_purpose purpose) {
  auto raw = r.base64("public_key", crypto::kem_key_max_size);
  auto parsed = crypto::parse_typed_key(as_span(raw), purpose);
  if (!parsed)
    invalid_key(r.name("public_key"), parsed.error());
  return raw;
}

model::signed_key read_signed_key(const boost::json::object& obj, const std::string& where,
                                  crypto::key_purpose purpose, const crypto::typed_key& identity) {
  net::json_reader r(obj, where + ".");
  model::signed_key k;
  k.key_id = r.u32("key_id");
  k.public_key = read_public_key(r, purpose);
  k.signature = r.base64("signature", kMaxSignatureBytes);
  r.reject_unknown_fields();
  if (!crypto::verify_signature(identity, as_span(k.public_key), as_span(k.signature))) {
    throw net::request_error(
        net::api_errc::unprocessable, "invalid_signature",
        "field '" + where + "': signature does not verify with the identity key");
  }
  return k;
}

model::one_time_key read_one_time_key(const boost::json::object& obj, const std::string& where) {
  net::json_reader r(obj, where + ".");
  model::one_time_key k;
  k.key_id = r.u32("key_id");
  k.public_key = read_public_key(r, crypto::key_purpose::dh_prekey);
  r.reject_unknown_fields();
  return k;
}

// One upload may repeat a key_id only with the same bytes.
template <class Key>
void check_unique_ids(const std::vector<Key>& keys, const std::string& field) {
  std::map<std::uint32_t, const std::string*> seen;
  for (const auto& k : keys) {
    auto [it, inserted] = seen.emplace(k.key_id, &k.public_key);
    if (!inserted && *it->second != k.public_key) {
      throw net::request_error(net::api_errc::conflict, "key_id_conflict",
                               "field '" + field + "': key_id " + std::to_string(k.key_id) +
                                   " appears twice with different keys");
    }
  }
}

}  // namespace

std::string read_identity_key(net::json_reader& body) {
  auto raw = body.base64("identity_key", crypto::ec_key_size);
  auto parsed = crypto::parse_typed_key(as_span(raw), crypto::key_purpose::identity);
  if (!parsed)
    invalid_key(body.name("identity_key"), parsed.error());
  return raw;
}

model::key_upload read_key_upload(net::json_reader& body, const std::string& identity_key,
                                  const config::server_config& cfg) {
  const auto identity =
      crypto::parse_typed_key(as_span(identity_key), crypto::key_purpose::identity);
  if (!identity)
    invalid_key("identity_key", identity.error());
  const std::size_t max_items = cfg.max_prekeys_per_upload;
  model::key_upload keys;
  if (const auto* obj = body.optional_object("signed_prekey")) {
    keys.signed_prekey =
        read_signed_key(*obj, "signed_prekey", crypto::key_purpose::dh_prekey, *identity);
  }
  if (const auto* obj = body.optional_object("pq_last_resort_prekey")) {
    keys.pq_last_resort_prekey =
        read_signed_key(*obj, "pq_last_resort_prekey", crypto::key_purpose::kem_prekey, *identity);
  }
  if (const auto* arr = body.optional_array("one_time_prekeys", max_items)) {
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string where = "one_time_prekeys[" + std::to_string(i) + "]";
      keys.one_time_prekeys.push_back(read_one_time_key(net::as_object((*arr)[i], where), where));
    }
    check_unique_ids(keys.one_time_prekeys, "one_time_prekeys");
  }
  if (const auto* arr = body.optional_array("pq_one_time_prekeys", max_items)) {
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string where = "pq_one_time_prekeys[" + std::to_string(i) + "]";
      keys.pq_one_time_prekeys.push_back(read_signed_key(
          net::as_object((*arr)[i], where), where, crypto::key_purpose::kem_prekey, *identity));
    }
    check_unique_ids(keys.pq_one_time_prekeys, "pq_one_time_prekeys");
  }
  return keys;
}

void require_signed_prekey(const model::key_upload& keys) {
  if (!keys.signed_prekey)
    net::throw_bad_field("signed_prekey", "is required");
}

boost::json::object signed_key_json(const model::signed_key& k) {
  return {{"key_id", k.key_id}, {"public_key", b64(k.public_key)}, {"signature", b64(k.signature)}};
}

boost::json::object one_time_key_json(const model::one_time_key& k) {
  return {{"key_id", k.key_id}, {"public_key", b64(k.public_key)}};
}

boost::json::object bundle_json(const model::device_bundle& b) {
  boost::json::object out{{"device_id", b.device_id},
                          {"registration_id", b.registration_id},
                          {"identity_key", b64(b.identity_key)},
                          {"signed_prekey", signed_key_json(b.signed_prekey)}};
  out["one_time_prekey"] = b.one_time_prekey
                               ? boost::json::value(one_time_key_json(*b.one_time_prekey))
                               : boost::json::value(nullptr);
  if (b.pq_prekey) {
    auto pq = signed_key_json(*b.pq_prekey);
    pq["last_resort"] = b.pq_last_resort;
    out["pq_prekey"] = std::move(pq);
  } else {
    out["pq_prekey"] = nullptr;
  }
  return out;
}

}  // namespace sealpost::resources
